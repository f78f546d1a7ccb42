#pragma once
/// Per-trip records and sampled vehicle positions of a run, as rows of the Recorder's tables
/// "traffic.trips" and "traffic.vehicles" (engine/data/results.hpp: Table). The scenario model and
/// `citytwin traffic run` both write them through the results writer (tables/<name>.csv).
#include <string>
#include <vector>

#include "models/traffic/simulation.hpp"

namespace citytwin::traffic {

/// What a trip's `status` column says.
enum class TripOutcome : int { arrived = 0, running = 1, removed = 2, unroutable = 3, not_inserted = 4, dropped = 5 };

/// Columns and units of "traffic.trips": trip (index in the demand's order; copies made by demand scaling
/// follow the original trips), depart_s (planned), insert_s, arrival_s, travel_time_s (insertion to arrival),
/// delay_s (travel time minus the free-flow time of the route driven, at least 0, as the total_delay KPI),
/// route_length_m (driven so far), vehicle_type (index), status (TripOutcome). NaN where a value does not
/// apply (e.g. arrival_s of a trip that has not arrived).
extern const std::vector<std::string> kTripColumns;
extern const std::vector<std::string> kTripUnits;
inline constexpr const char* kTripsTable = "traffic.trips";
inline constexpr const char* kTripsDescription = "one record per trip of the demand, at the end of the run";

/// One row per trip of the simulation, in trip order, appended to `rows` (row-major, kTripColumns).
void append_trip_rows(const Simulation& sim, std::vector<double>& rows);

/// Columns and units of "traffic.vehicles": t_s, vehicle (trip index), x_m, y_m (local metres in the City's
/// frame, the frame of the "roads" element set: the centre of the vehicle's lane, at its front), heading_rad
/// (direction of travel, counter-clockwise from the x axis, in (-pi, pi]), speed_mps.
extern const std::vector<std::string> kVehicleColumns;
extern const std::vector<std::string> kVehicleUnits;
inline constexpr const char* kVehiclesTable = "traffic.vehicles";
inline constexpr const char* kVehiclesDescription = "sampled positions of the vehicles on the network";

/// Where a vehicle at distance `pos_m` along a lane is drawn.
struct VehiclePose {
  Point2 pos;
  double heading_rad = 0;
};

/// Places vehicles on the lanes' centre lines: along the edge's shape, offset to the right by the lane's
/// `Network::lane_offset_m` (from a City's road graph, a two-way street's lanes lie right of its centre line;
/// otherwise, one-way streets and SUMO networks, lanes are centred on the shape). Thread-safe after construction.
class LanePlacer {
 public:
  explicit LanePlacer(const Network& net);
  VehiclePose place(int lane, double pos_m) const;

 private:
  const Network& net_;
  std::vector<std::vector<double>> cumulative_m_;  // per edge: distance along the shape at each vertex
};

/// One row per vehicle on the network at the simulation's current time, in lane then position order.
void append_vehicle_rows(const Simulation& sim, const LanePlacer& placer, std::vector<double>& rows);

}  // namespace citytwin::traffic
