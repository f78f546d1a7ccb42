#pragma once
/// The state of a traffic Simulation (private to its implementation files: simulation.cpp, calibrator.cpp).
#include <tbb/enumerable_thread_specific.h>

#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "models/traffic/calibrator.hpp"
#include "models/traffic/simulation.hpp"

namespace citytwin::traffic {

struct Simulation::State {
  // Vehicles: one per trip (index = trip index).
  std::vector<double> pos, speed, new_speed, factor, wait_s, approach_t, last_change_t, dist_m, insert_t;
  std::vector<double> transfer_t;  // when a teleporting vehicle reaches the start of its next edge
  std::vector<double> reserve_m;   // room kept free before the lane end for a counter-changing blocker
  std::vector<std::int32_t> lane, route_pos, teleports, wants_lane;
  std::vector<TripStatus> status;
  std::vector<std::uint8_t> stopped_at_line;  // has stood at the stop line of its current lane
  std::vector<std::vector<std::int32_t>> route;

  // Lanes.
  std::vector<std::vector<std::int32_t>> on_lane;  // front (largest position) first
  std::vector<std::vector<std::int32_t>> merging;  // vehicles of the same edge waiting to enter this lane
  std::vector<std::int32_t> req_conn;
  std::vector<double> req_eta, req_since, req_dist;
  std::vector<std::uint8_t> req_blocked, permitted;
  std::vector<std::int32_t> leaver, arriver, stuck;
  std::vector<std::int32_t> transfer;  // teleporting vehicles, in the order they left their lanes
  std::vector<double> lane_speed;
  std::vector<std::uint8_t> lane_open;
  std::vector<double> rec_veh_s, rec_veh_m, rec_entered;  // for take_edge_stats()
  std::vector<double> tt_veh_s, tt_veh_m;                 // for travel-time updates
  std::vector<std::vector<std::int32_t>> incoming;

  // Junctions.
  std::vector<char> link_state;
  std::vector<SignalProgram> programs;

  // Departures.
  std::vector<std::int32_t> depart_order;
  size_t next_depart = 0;
  std::vector<std::deque<std::int32_t>> pending;  // per edge, FIFO
  std::vector<std::int32_t> pending_edges;
  std::vector<std::int32_t> active_lanes, active_multi;  // with vehicles this step, ascending
  std::vector<std::int32_t> signalised;  // junctions with a program
  std::vector<std::int32_t> targets;     // hand-over scratch
  std::vector<std::int32_t> batch;       // departures to route this step
  std::vector<double> depart_cost;       // edge costs for routing at departure: free flow, closures infinite
  double next_travel_time_update = 0, next_reroute = 0;

  // Calibrators (driving counts).
  std::vector<Calibrator> calibrators;
  std::vector<std::int32_t> calibrator_of;  // per edge: index in calibrators, -1 none; empty while there are none

  tbb::enumerable_thread_specific<std::vector<std::int32_t>> scratch;

  void resize_vehicles(size_t n) {
    for (auto* v : {&pos, &speed, &new_speed, &factor, &wait_s, &dist_m, &insert_t, &transfer_t, &reserve_m}) v->resize(n, 0.0);
    approach_t.resize(n, -1.0);
    last_change_t.resize(n, -std::numeric_limits<double>::infinity());
    for (auto* v : {&lane, &route_pos, &teleports}) v->resize(n, 0);
    wants_lane.resize(n, -1);
    status.resize(n, TripStatus::not_departed);
    stopped_at_line.resize(n, 0);
    route.resize(n);
  }
};

}  // namespace citytwin::traffic
