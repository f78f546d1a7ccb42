#pragma once
/// The traffic Model for scenario runs: the City's roads as a lane network, demand from a trips file or
/// generated from the buildings, the microsimulation sub-stepped on its own dt inside each sync interval.
///
/// Parameters ([models.traffic]): trips (file: CSV or SUMO trips/routes; default: generated), trips_per_day
/// (generator), step (0.1..2 s, default 1 s), teleport_after (default 300 s), collision_teleport (default true:
/// SUMO's collision teleport, see simulation.hpp), reroute_period (default 300 s,
/// 0 = off), gravity_length_m, positions_every (sampling period of vehicle positions, default 10 s, 0 = off),
/// demand_multipliers (24 factors by local hour of departure, hourly_demand.hpp; `citytwin calibrate`).
/// Layers on "roads": traffic.speed (m/s), traffic.flow (veh/h), traffic.density (veh/km), traffic.travel_time (s).
/// Tables (outputs.hpp): traffic.trips (one record per trip at the end), traffic.vehicles (sampled positions).
/// Writes the Exchange signal traffic.building.ev_arrivals (arrivals per building in each interval).
/// Interventions: close_edge, close_lane (lane = index), speed_limit (speed_kmh), signal_plan
/// (phases = [[duration_s, "state"], ...]), demand_scale (factor); timed ones revert at `until`.
#include "engine/sim/registry.hpp"

namespace citytwin::traffic {

/// Registers the model "traffic".
void register_traffic_model(ModelRegistry& registry);

}  // namespace citytwin::traffic
