#pragma once
/// The traffic microsimulation of one run: vehicles on the lanes of a shared, immutable Network.
///
/// A step reads as the algorithm (see README.md): update signals, insert departures, change lanes, request
/// junction links, decide right of way, compute accelerations (IDM), move, hand over at junctions, resolve
/// gridlock. Every phase is either sequential or a TBB parallel_for in which each task writes only the
/// data of its own lane (or edge) and reads the state of the previous phase, so results are identical
/// for any number of threads.
#include <tbb/task_arena.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/traffic/calibrator.hpp"
#include "models/traffic/network.hpp"
#include "models/traffic/router.hpp"
#include "models/traffic/vehicle_type.hpp"

namespace citytwin::traffic {

/// Below this speed a vehicle counts as halting (waiting): SUMO's threshold.
inline constexpr double kHaltingSpeedMps = 0.1;

/// One trip of the demand. If `route` is empty the trip is routed from `from_edge` to `to_edge`.
struct Trip {
  std::string id;
  double depart_s = 0;
  std::int32_t from_edge = -1;
  std::int32_t to_edge = -1;
  std::int32_t type = 0;                 ///< index into the run's vehicle types
  std::vector<std::int32_t> route;       ///< explicit route (edge indices), may be empty
};

struct SimulationOptions {
  double step_s = 1.0;
  int threads = 0;                       ///< 0 = as many as TBB offers
  std::uint64_t seed = 42;
  double teleport_after_s = 300;         ///< a lane's first vehicle standing this long is teleported
  double reroute_period_s = 0;           ///< 0 = never; otherwise vehicles en route re-plan on current times
  double yield_gap_s = 2.0;              ///< accepted time gap ahead of a vehicle with right of way
  /// Standing time after which a yielding vehicle accepts any gap (linearly shrinking before; SUMO's
  /// --time-to-impatience default); 0 = never impatient.
  double time_to_impatience_s = 180;
  /// A vehicle entering a lane closer than its minimum gap behind the lane's last vehicle is teleported on to
  /// its next edge, as SUMO registers and resolves a collision by default (see README).
  bool collision_teleport = true;
  bool lane_changing = true;
  double end_s = 1e18;                   ///< trips departing at or after this are not inserted
  /// Route each trip when it departs (the step's departures in parallel, as SUMO routes at insertion);
  /// false routes every trip at construction.
  bool route_at_departure = true;
};

/// Vehicle counts; at every step inserted == arrived + running + removed.
struct Counters {
  long long loaded = 0;          ///< trips given
  long long unroutable = 0;      ///< trips without a route (never inserted)
  long long inserted = 0;
  long long arrived = 0;
  long long running = 0;
  long long removed = 0;         ///< taken off the network (by a calibrator only: gridlocks teleport, closures reroute)
  long long calibrator_inserted = 0;  ///< of `inserted`: put on the network by a calibrator
  long long waiting = 0;         ///< departed but not yet inserted (no room at the start of the edge)
  long long teleports = 0;       ///< gridlock resolutions
  long long teleporting = 0;     ///< running vehicles now in a teleport (off the lanes, see README)
  long long reroutes = 0;
  long long vehicle_updates = 0; ///< sum over steps of running vehicles
};

/// What a completed trip did.
struct TripRecord {
  std::int32_t trip = -1;
  double depart_s = 0;        ///< wanted departure
  double insert_s = 0;        ///< actual insertion
  double arrive_s = 0;
  double route_length_m = 0;
  double free_time_s = 0;     ///< time at the speed limits along the route driven
  int teleports = 0;
};

/// A gridlock resolution, with why the vehicle stood (as SUMO's teleport warnings say).
struct TeleportEvent {
  double t_s = 0;
  std::int32_t vehicle = -1;
  std::int32_t lane = -1;
  /// 'w' wrong lane (no connection to its next edge), 'j' jam (no room on the target lane), 'y' yield
  /// (waiting for right of way), 's' signal (red), 'q' queue (stopped behind a standing leader, e.g. a lane end),
  /// 'c' collision (entered a lane closer than its minimum gap behind the last vehicle; SUMO's collision teleport).
  char reason = 'q';
};

/// What has become of a trip so far (its vehicle has the trip's index).
enum class TripStatus : std::uint8_t { not_departed, waiting, running, arrived, removed, unroutable, dropped };

class Simulation {
 public:
  /// The network must outlive the simulation. Trips are routed on free-flow times (closed edges avoided) when
  /// they depart, or at construction with options.route_at_departure off; the trips that cannot be routed
  /// are counted as unroutable.
  Simulation(const Network& net, std::vector<VehicleType> types, std::vector<Trip> trips,
             SimulationOptions options);
  /// The same with a Router of the network built before (shared, e.g. by the runs of a Session), which
  /// must outlive the simulation.
  Simulation(const Network& net, const Router& router, std::vector<VehicleType> types, std::vector<Trip> trips,
             SimulationOptions options);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// Advances one step of options.step_s.
  void step();
  /// Steps until time t (seconds from the start).
  void run_until(double t_s);
  double time() const { return t_; }
  /// True when no vehicle runs or waits and no trip is left to depart.
  bool finished() const;
  const Counters& counters() const { return counters_; }
  const std::vector<TripRecord>& completed() const { return completed_; }
  const std::vector<TeleportEvent>& teleport_events() const { return teleport_events_; }
  const std::vector<Trip>& trips() const { return trips_; }
  const Network& network() const { return net_; }

  // Interventions (between steps).
  /// Closes or opens a lane: no vehicle enters it; routes avoid edges whose lanes are all closed.
  void set_lane_open(int lane, bool open);
  void set_edge_open(int edge, bool open);
  /// Speed limit of an edge's lanes.
  void set_edge_speed(int edge, double speed_mps);
  /// Replaces the program of a signalised junction (same number of links per phase).
  void set_signal_program(int junction, SignalProgram program);
  /// Multiplies the demand not yet departed: trips are dropped (scale < 1) by a seeded draw, or
  /// duplicated (scale > 1) with the same route, departing at the same time.
  void scale_demand(double scale);
  /// Re-plans every running vehicle on current travel times (after a closure).
  void reroute_all();
  /// A calibrator on the edge (SUMO's `<calibrator>`, see calibrator.hpp) from now until the next call for
  /// the same edge: flow_veh_h vehicles an hour enter the edge, to within one vehicle at every step where
  /// the edge has room at its start and traffic to take off. NaN switches it off.
  void set_calibrator(int edge, double flow_veh_h);

  // Per-edge observations accumulated since the last call of take_edge_stats().
  struct EdgeStats {
    std::vector<double> vehicle_s;  ///< vehicle-seconds spent on the edge
    std::vector<double> vehicle_m;  ///< vehicle-metres driven on the edge
    std::vector<double> entered;    ///< vehicles that entered the edge
  };
  EdgeStats take_edge_stats();

  // Read-only views of the state, for tests and outputs.
  int lane_vehicle_count(int lane) const;
  /// Vehicle indices on a lane, front (largest position) first.
  const std::vector<std::int32_t>& lane_vehicles(int lane) const;
  double vehicle_pos(int v) const;
  double vehicle_speed(int v) const;
  int vehicle_lane(int v) const;
  const VehicleType& vehicle_type(int v) const;
  TripStatus trip_status(int v) const;
  /// When the vehicle entered the network (meaningful once inserted).
  double vehicle_insert_time(int v) const;
  /// Metres the vehicle has driven so far.
  double vehicle_distance_m(int v) const;
  /// Travel time currently expected on each edge (length over mean speed seen recently).
  const std::vector<double>& edge_travel_times() const { return edge_time_s_; }

 private:
  struct State;
  Simulation(const Network& net, std::unique_ptr<Router> own, const Router* shared, std::vector<VehicleType> types,
             std::vector<Trip> trips, SimulationOptions options);
  void run_phases();
  void update_signals();
  void insert_departures();
  bool plan_route(int v);
  /// Length over the speed limit now (at least 0.5 m/s): the edge's current free-flow time.
  double free_time_s(int e) const;
  bool edge_open(int e) const;  ///< any lane of edge e open
  void update_depart_costs();
  void change_lanes(int edge);
  void request_link(int lane);
  void decide_right_of_way(int lane);
  void accelerate(int lane);
  bool is_minor(int c) const;
  void move(int lane);
  void hand_over();
  void resolve_gridlock();
  /// Puts vehicle v at the back of `lane` (its position already set) and resets its per-lane state.
  void enter_lane(int v, int lane);
  /// Takes vehicle ev.vehicle off the network (it is on no lane's list) and counts the teleport.
  void start_transfer(const TeleportEvent& ev);
  void advance_transfers();
  void finish_trip(int v, double arrive_s);
  /// Calibrators' phase of a step (after the hand-over): takes surplus entries off and inserts for deficits.
  void calibrate();
  void note_calibrated_entry(int v, int lane);
  /// Takes a vehicle that has just entered its lane off the network (status removed); false when it is not
  /// on a lane.
  bool remove_entered(int v);
  /// Puts a new vehicle at the start of the calibrator's edge; false when there is no room.
  bool insert_calibrated(Calibrator& c);
  void update_travel_times();
  void reroute(int v);
  bool try_place(int v, int edge, double pos_m, double speed_mps);
  /// How well `lane` serves v's route from its current edge: 2 = a connection onto the next edge's lane that
  /// leads on to the edge after next (or v arrives on this edge), 1 = onto the next edge only, 0 = none.
  /// `conn` gets that connection (kArriving, or kNoLink at 0).
  int lane_fit(int v, int lane, int& conn) const;
  int pick_connection(int v, int lane) const;
  double desired_speed(int v, int lane) const;

  const Network& net_;
  std::vector<VehicleType> types_;
  std::vector<Trip> trips_;
  SimulationOptions opt_;
  std::unique_ptr<Router> own_router_;  ///< when none was given
  const Router& router_;
  std::unique_ptr<State> s_;
  std::unique_ptr<tbb::task_arena> arena_;
  double t_ = 0;
  Counters counters_;
  std::vector<TripRecord> completed_;
  std::vector<TeleportEvent> teleport_events_;
  std::vector<double> edge_time_s_;
  double max_speed_mps_ = 1;
};

}  // namespace citytwin::traffic
