#pragma once
/// What a traffic run records, written once for the scenario model and `citytwin traffic run`: layers on
/// "roads" (traffic.speed, .flow, .density, .travel_time), series (traffic.running, .arrived), the tables
/// traffic.trips and (when sampled) traffic.vehicles, and the KPIs.
#include <vector>

#include "engine/data/recorder.hpp"
#include "models/traffic/outputs.hpp"
#include "models/traffic/simulation.hpp"

namespace citytwin::traffic {

class TrafficRecording {
 public:
  /// Declares the layers, series and tables (the Recorder must already hold the "roads" set).
  TrafficRecording(Recorder& recorder, bool sample_vehicles);

  /// Rows of traffic.vehicles: every vehicle on the network at the simulation's current time.
  void record_vehicles(const Simulation& sim, const LanePlacer& placer);
  /// The interval that ends at t_s and lasted interval_s: takes the simulation's edge statistics.
  void record(double t_s, Simulation& sim, const Network& net, double interval_s);
  /// The KPIs and one traffic.trips row per trip.
  void finish(const Simulation& sim);

 private:
  Recorder& r_;
  Recorder::LayerId speed_ = 0, flow_ = 0, density_ = 0, travel_time_ = 0;
  Recorder::SeriesId running_ = 0, arrived_ = 0;
  Recorder::TableId trips_ = 0, vehicles_ = 0;
  bool sample_vehicles_ = false;
  double veh_m_ = 0, veh_s_ = 0;  ///< over the whole run, for the KPIs
  std::vector<double> rows_;
};

/// The "roads" element set of a network (for a run on a SUMO network, which has no City).
ElementSet network_roads_set(const Network& net);

}  // namespace citytwin::traffic
