#include "models/traffic/simulation.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numbers>
#include <numeric>
#include <stdexcept>

#include "engine/core/random.hpp"
#include "models/traffic/simulation_state.hpp"

namespace citytwin::traffic {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLaneChangeCooldownS = 3;  // between two discretionary changes of one vehicle
constexpr double kStopLineReachM = 2;       // a vehicle standing this close to a stop sign's line has stopped
constexpr double kMinorVisibilityM = 4.5;  // SUMO's default foe visibility at a minor link
constexpr double kClaimDistanceM = 20;      // a blocked vehicle this close to its stop line keeps its priority
constexpr std::uint64_t kSpeedFactorStream = 0x5eed'fac7;
constexpr std::uint64_t kDemandStream = 0xde3a'4d00;

using enum TripStatus;

// Link requests of a lane's first vehicle.
constexpr std::int32_t kNoLink = -1;     // its lane has no connection to its next edge: stop at the lane end
constexpr std::int32_t kArriving = -2;   // its current edge is the last of its route

// Below this many vehicles a step runs its phases on the calling thread: scheduling tasks would cost more
// than the work. Results do not depend on it (each phase is order-independent).
constexpr long long kParallelVehicles = 1500;

template <class F>
void parallel_indices(int n, int grain, const F& f, bool parallel = true) {
  if (!parallel) {
    for (int i = 0; i < n; ++i) f(i);
    return;
  }
  tbb::parallel_for(tbb::blocked_range<int>(0, n, grain), [&](const tbb::blocked_range<int>& r) {
    for (int i = r.begin(); i < r.end(); ++i) f(i);
  });
}

/// Time to cover distance d starting at speed v, accelerating at a up to v0.
double time_to_cover(double d, double v, double a, double v0) {
  if (d <= 0) return 0;
  if (v >= v0) return d / std::max(v, 0.1);
  const double t1 = (v0 - v) / a;
  const double d1 = v * t1 + 0.5 * a * t1 * t1;
  if (d <= d1) return (-v + std::sqrt(v * v + 2 * a * d)) / a;
  return t1 + (d - d1) / v0;
}

}  // namespace


Simulation::Simulation(const Network& net, std::vector<VehicleType> types, std::vector<Trip> trips,
                       SimulationOptions options)
    : Simulation(net, std::make_unique<Router>(net), nullptr, std::move(types), std::move(trips), options) {}

Simulation::Simulation(const Network& net, const Router& router, std::vector<VehicleType> types,
                       std::vector<Trip> trips, SimulationOptions options)
    : Simulation(net, nullptr, &router, std::move(types), std::move(trips), options) {}

Simulation::Simulation(const Network& net, std::unique_ptr<Router> own, const Router* shared,
                       std::vector<VehicleType> types, std::vector<Trip> trips, SimulationOptions options)
    : net_(net), types_(std::move(types)), trips_(std::move(trips)), opt_(options), own_router_(std::move(own)),
      router_(shared ? *shared : *own_router_), s_(std::make_unique<State>()) {
  if (types_.empty()) types_.push_back(VehicleType{});
  if (!(opt_.step_s > 0)) throw std::invalid_argument("traffic: step must be positive");
  int concurrency = tbb::task_arena::automatic;
  if (opt_.threads > 0) concurrency = opt_.threads;
  arena_ = std::make_unique<tbb::task_arena>(concurrency);
  State& s = *s_;
  const int nl = net_.lanes(), ne = net_.edges();
  s.on_lane.resize(nl);
  s.merging.resize(nl);
  s.incoming.resize(nl);
  s.req_conn.assign(nl, kNoLink);
  s.req_eta.assign(nl, kInf);
  s.req_since.assign(nl, 0);
  s.req_dist.assign(nl, kInf);
  s.req_blocked.assign(nl, 1);
  s.permitted.assign(nl, 0);
  s.leaver.assign(nl, -1);
  s.arriver.assign(nl, -1);
  s.stuck.assign(nl, -1);
  s.lane_speed = net_.lane_speed_mps;
  s.lane_open.assign(net_.lane_car_allowed.begin(), net_.lane_car_allowed.end());
  for (auto* v : {&s.rec_veh_s, &s.rec_veh_m, &s.rec_entered, &s.tt_veh_s, &s.tt_veh_m}) v->assign(nl, 0.0);
  s.link_state.assign(net_.connections(), static_cast<char>(LinkState::off));
  s.programs = net_.programs;
  s.pending.resize(ne);
  for (int j = 0; j < net_.junctions(); ++j)
    if (net_.junction_kind[j] == JunctionKind::traffic_light) s.signalised.push_back(j);
  edge_time_s_ = free_flow_times(net_);
  for (double v : net_.edge_speed_mps) max_speed_mps_ = std::max(max_speed_mps_, v);

  const size_t n = trips_.size();
  s.resize_vehicles(n);
  counters_.loaded = static_cast<long long>(n);
  for (size_t v = 0; v < n; ++v) {
    const Trip& trip = trips_[v];
    if (trip.type < 0 || trip.type >= static_cast<int>(types_.size()))
      throw std::invalid_argument("traffic: trip " + trip.id + " has an unknown vehicle type");
    // Speed factor: normal around the type's mean, clipped at two standard deviations (SUMO's default).
    auto rng = random_stream(opt_.seed, kSpeedFactorStream, v);
    const double u1 = std::max(uniform01(rng), 1e-12), u2 = uniform01(rng);
    const double z = std::clamp(std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2), -2.0, 2.0);
    const VehicleType& t = types_[trip.type];
    s.factor[v] = std::max(0.2, t.speed_factor * (1 + t.speed_dev * z));
  }
  // Given routes are checked here; the others are planned when the trip departs (see insert_departures), or
  // here, in parallel, with route_at_departure off.
  s.depart_cost = edge_time_s_;
  arena_->execute([&] {
    parallel_indices(static_cast<int>(n), 16, [&](int v) {
      const Trip& trip = trips_[v];
      if (trip.route.empty() && opt_.route_at_departure) return;
      if (!plan_route(v)) s.status[v] = unroutable;
    });
  });
  for (size_t v = 0; v < n; ++v) counters_.unroutable += s.status[v] == unroutable;
  s.depart_order.resize(n);
  std::iota(s.depart_order.begin(), s.depart_order.end(), 0);
  std::stable_sort(s.depart_order.begin(), s.depart_order.end(),
                   [&](int a, int b) { return trips_[a].depart_s < trips_[b].depart_s; });
  s.next_travel_time_update = 60;
  s.next_reroute = opt_.reroute_period_s;
}

Simulation::~Simulation() = default;

void Simulation::run_until(double t_s) {
  while (t_ + 1e-9 < t_s) step();
}

void Simulation::step() {
  arena_->execute([&] { run_phases(); });
}

void Simulation::run_phases() {
  State& s = *s_;
  update_signals();
  insert_departures();
  const bool par = counters_.inserted - counters_.arrived - counters_.removed > kParallelVehicles;
  // Only the edges with vehicles take part in a step (most of a city is empty at light load). A lane of
  // the previous step's list that has emptied drops its link request.
  for (int l : s.active_lanes) {
    s.req_conn[l] = kNoLink;
    s.req_blocked[l] = 1;
  }
  s.active_lanes.clear();
  s.active_multi.clear();
  for (int e = 0, ne = net_.edges(); e < ne; ++e) {
    const int l0 = net_.edge_first_lane[e], l1 = net_.edge_first_lane[e + 1];
    bool any = false;
    for (int l = l0; l < l1 && !any; ++l) any = !s.on_lane[l].empty();
    if (!any) continue;
    if (l1 - l0 > 1) s.active_multi.push_back(e);
    for (int l = l0; l < l1; ++l) s.active_lanes.push_back(l);
  }
  const auto& act = s.active_lanes;
  const int na = static_cast<int>(act.size());
  if (opt_.lane_changing)
    parallel_indices(static_cast<int>(s.active_multi.size()), 16,
                     [&](int i) { change_lanes(s.active_multi[i]); }, par);
  parallel_indices(na, 256, [&](int i) { request_link(act[i]); }, par);
  parallel_indices(na, 256, [&](int i) { decide_right_of_way(act[i]); }, par);
  parallel_indices(na, 128, [&](int i) { accelerate(act[i]); }, par);
  parallel_indices(na, 128, [&](int i) { move(act[i]); }, par);
  hand_over();
  calibrate();
  resolve_gridlock();
  t_ += opt_.step_s;
  if (t_ + 1e-9 >= s.next_travel_time_update) {
    update_travel_times();
    s.next_travel_time_update += 60;
  }
  if (opt_.reroute_period_s > 0 && t_ + 1e-9 >= s.next_reroute) {
    reroute_all();
    s.next_reroute += opt_.reroute_period_s;
  }
  counters_.running = counters_.inserted - counters_.arrived - counters_.removed;
  counters_.vehicle_updates += counters_.running;
}

bool Simulation::finished() const {
  return counters_.running == 0 && counters_.waiting == 0 && s_->next_depart >= s_->depart_order.size();
}

void Simulation::update_signals() {
  State& s = *s_;
  for (int j : s.signalised) {
    const SignalProgram& prog = s.programs[net_.junction_program[j]];
    const std::string& st = prog.phases[prog.phase_at(t_)].state;
    for (int c = net_.junction_first_link[j]; c < net_.junction_first_link[j + 1]; ++c)
      s.link_state[c] = st[c - net_.junction_first_link[j]];
  }
}

double Simulation::desired_speed(int v, int lane) const {
  return std::min(types_[trips_[v].type].max_speed_mps, s_->lane_speed[lane] * s_->factor[v]);
}

int Simulation::lane_fit(int v, int lane, int& conn) const {
  const State& s = *s_;
  const auto& route = s.route[v];
  const size_t rp = s.route_pos[v];
  conn = kArriving;
  if (rp + 1 >= route.size()) return 2;
  const int next = route[rp + 1];
  const int after = rp + 2 < route.size() ? route[rp + 2] : -1;
  conn = kNoLink;
  for (int k = net_.lane_first_out[lane]; k < net_.lane_first_out[lane + 1]; ++k) {
    const int c = net_.lane_out[k];
    const int to = net_.conn_to_lane[c];
    if (net_.lane_edge[to] != next || !s.lane_open[to]) continue;
    if (conn == kNoLink) conn = c;
    if (after < 0) return 2;
    for (int q = net_.lane_first_out[to]; q < net_.lane_first_out[to + 1]; ++q)
      if (net_.edge_of_conn_to(net_.lane_out[q]) == after) {
        conn = c;
        return 2;
      }
  }
  return conn == kNoLink ? 0 : 1;
}

int Simulation::pick_connection(int v, int lane) const {
  int conn;
  lane_fit(v, lane, conn);
  return conn;
}

bool Simulation::try_place(int v, int edge, double pos_m, double speed_mps) {
  State& s = *s_;
  const VehicleType& t = types_[trips_[v].type];
  const auto& route = s.route[v];
  const int rp = s.route_pos[v];
  const int next = rp + 1 < static_cast<int>(route.size()) ? route[rp + 1] : -1;
  int best = -1;
  double best_room = -kInf;
  bool best_connects = false;
  for (int l = net_.edge_first_lane[edge]; l < net_.edge_first_lane[edge + 1]; ++l) {
    if (!s.lane_open[l]) continue;
    const double place = std::min(pos_m, net_.lane_length_m[l]);
    const auto& q = s.on_lane[l];
    const double room = q.empty() ? kInf : s.pos[q.back()] - types_[trips_[q.back()].type].length_m - place;
    if (room < t.min_gap_m) continue;
    bool connects = next < 0;
    for (int k = net_.lane_first_out[l]; !connects && k < net_.lane_first_out[l + 1]; ++k)
      connects = net_.edge_of_conn_to(net_.lane_out[k]) == next;
    if (best < 0 || (connects && !best_connects) || (connects == best_connects && room > best_room)) {
      best = l, best_room = room, best_connects = connects;
    }
  }
  if (best < 0) return false;
  const double v0 = std::min(t.max_speed_mps, s.lane_speed[best] * s.factor[v]);
  double speed = std::min(speed_mps, v0);
  if (std::isfinite(best_room)) {
    // Enter at the leader's speed once the room ahead holds IDM's desired gap s0 + v T at that speed, so
    // that a stream is inserted at its equilibrium spacing instead of in slow, short-gapped bursts.
    speed = std::min(speed, s.speed[s.on_lane[best].back()]);
    if (best_room < t.min_gap_m + speed * t.headway_s) return false;
  }
  s.pos[v] = std::min(pos_m, net_.lane_length_m[best]);
  s.speed[v] = s.new_speed[v] = speed;
  s.wait_s[v] = 0;
  s.wants_lane[v] = -1;
  enter_lane(v, best);
  return true;
}

void Simulation::enter_lane(int v, int lane) {
  State& s = *s_;
  s.lane[v] = lane;
  s.approach_t[v] = -1;
  s.stopped_at_line[v] = 0;
  s.reserve_m[v] = 0;
  s.on_lane[lane].push_back(v);
  s.rec_entered[lane] += 1;
  note_calibrated_entry(v, lane);
}

bool Simulation::plan_route(int v) {
  State& s = *s_;
  const Trip& trip = trips_[v];
  const int ne = net_.edges();
  bool ok = true;
  if (!trip.route.empty()) {
    s.route[v] = trip.route;
    for (size_t k = 0; ok && k < trip.route.size(); ++k) {
      const int e = trip.route[k];
      ok = e >= 0 && e < ne;
      if (ok && k > 0) {
        const int p = trip.route[k - 1];
        ok = std::binary_search(net_.edge_next.begin() + net_.edge_first_next[p],
                                net_.edge_next.begin() + net_.edge_first_next[p + 1], e);
      }
    }
  } else {
    // On free-flow times with closures, as SUMO routes a trip at insertion without its rerouting device.
    ok = router_.route(trip.from_edge, trip.to_edge, s.depart_cost, max_speed_mps_, s.route[v]);
  }
  if (!ok) s.route[v].clear();
  return ok;
}

double Simulation::free_time_s(int e) const {
  return net_.edge_length_m[e] / std::max(0.5, s_->lane_speed[net_.edge_first_lane[e]]);
}

bool Simulation::edge_open(int e) const {
  for (int l = net_.edge_first_lane[e]; l < net_.edge_first_lane[e + 1]; ++l)
    if (s_->lane_open[l]) return true;
  return false;
}

void Simulation::update_depart_costs() {
  State& s = *s_;
  for (int e = 0; e < net_.edges(); ++e) s.depart_cost[e] = edge_open(e) ? free_time_s(e) : kInf;
}

void Simulation::insert_departures() {
  State& s = *s_;
  // The trips departing now that still need a route are routed together, in parallel (each writes its own).
  auto& batch = s.batch;
  batch.clear();
  for (size_t k = s.next_depart; k < s.depart_order.size(); ++k) {
    const int v = s.depart_order[k];
    if (trips_[v].depart_s > t_ + 1e-9) break;
    if (s.status[v] == not_departed && trips_[v].depart_s < opt_.end_s && s.route[v].empty()) batch.push_back(v);
  }
  if (!batch.empty()) {
    parallel_indices(static_cast<int>(batch.size()), 4, [&](int i) {
      if (!plan_route(batch[i])) s.status[batch[i]] = unroutable;
    }, batch.size() > 8);
    for (int v : batch) counters_.unroutable += s.status[v] == unroutable;
  }
  while (s.next_depart < s.depart_order.size() && trips_[s.depart_order[s.next_depart]].depart_s <= t_ + 1e-9) {
    const int v = s.depart_order[s.next_depart++];
    if (s.status[v] != not_departed) continue;
    if (trips_[v].depart_s >= opt_.end_s) {
      s.status[v] = dropped;
      continue;
    }
    s.status[v] = waiting;
    const int e = s.route[v][0];
    if (s.pending[e].empty()) s.pending_edges.push_back(e);
    s.pending[e].push_back(v);
    ++counters_.waiting;
  }
  std::sort(s.pending_edges.begin(), s.pending_edges.end());
  std::vector<std::int32_t> still;
  for (int e : s.pending_edges) {
    auto& q = s.pending[e];
    while (!q.empty()) {
      const int v = q.front();
      const VehicleType& t = types_[trips_[v].type];
      s.route_pos[v] = 0;
      // SUMO's departPos "base" (front at one vehicle length) and departSpeed "max" (fastest safe speed).
      if (!try_place(v, e, t.length_m, kInf)) break;
      q.pop_front();
      s.status[v] = running;
      s.insert_t[v] = t_;
      s.dist_m[v] = 0;
      ++counters_.inserted;
      --counters_.waiting;
    }
    if (!q.empty()) still.push_back(e);
  }
  s.pending_edges.swap(still);
}

void Simulation::change_lanes(int edge) {
  State& s = *s_;
  const int first = net_.edge_first_lane[edge], n = net_.edge_lanes(edge);
  for (int l = first; l < first + n; ++l) s.merging[l].clear();
  auto& order = s.scratch.local();
  order.clear();
  for (int l = first; l < first + n; ++l) order.insert(order.end(), s.on_lane[l].begin(), s.on_lane[l].end());

  auto length = [&](int v) { return types_[trips_[v].type].length_m; };
  // Leader and follower of position `pos` on lane `l` (vehicle `self` excluded); -1 when none.
  auto neighbours = [&](int l, double pos, int self, int& leader, int& follower, size_t& insert_at) {
    const auto& q = s.on_lane[l];
    // Lanes are ordered by position, descending: binary search for the first vehicle behind `pos`.
    auto behind = [&](int other) { return s.pos[other] < pos || (s.pos[other] == pos && other > self); };
    auto it = std::partition_point(q.begin(), q.end(), [&](int other) { return other == self || !behind(other); });
    insert_at = static_cast<size_t>(it - q.begin());
    follower = it == q.end() ? -1 : *it;
    auto ahead = it;
    leader = -1;
    while (ahead != q.begin()) {
      --ahead;
      if (*ahead != self) {
        leader = *ahead;
        break;
      }
    }
  };
  auto accel_behind = [&](int v, int lane, int leader) {
    const VehicleType& t = types_[trips_[v].type];
    const double v0 = desired_speed(v, lane);
    if (leader < 0) return idm_accel(t, s.speed[v], v0, kInf, 0);
    return idm_accel(t, s.speed[v], v0, s.pos[leader] - length(leader) - s.pos[v], s.speed[leader]);
  };

  bool changed = false;
  for (int v : order) {
    s.wants_lane[v] = -1;
    s.reserve_m[v] = 0;
    const int cl = s.lane[v];
    const int ci = cl - first;
    // Strategic lane level (lane_fit; 0 on a closed lane): the change happens before a short next edge.
    auto level = [&](int l) {
      int conn;
      return s.lane_open[l] ? lane_fit(v, l, conn) : 0;
    };
    const VehicleType& t = types_[trips_[v].type];
    int target = -1;
    bool mandatory = false;
    const int cur_level = level(cl);
    {
      int best = -1, best_level = cur_level;
      for (int i = 0; i < n; ++i) {
        const int lv = i == ci ? cur_level : level(first + i);
        if (lv > best_level || (lv == best_level && lv > cur_level && std::abs(i - ci) < std::abs(best - ci)))
          best = i, best_level = lv;
      }
      if (best >= 0) {
        target = first + ci + (best > ci ? 1 : -1);
        mandatory = true;
      } else if (cur_level == 0) {
        continue;
      }
    }
    // Only a vehicle that cannot go on from its lane asks the followers of the target lane to make room.
    const bool needs = mandatory && cur_level == 0;

    int cur_leader = -1, cur_follower = -1;
    size_t dummy;
    neighbours(cl, s.pos[v], v, cur_leader, cur_follower, dummy);
    double best_gain = 0;
    size_t best_insert = 0;
    for (int dir : {-1, +1}) {
      const int tl = cl + dir;
      if (tl < first || tl >= first + n) continue;
      if (mandatory ? tl != target : (level(tl) < cur_level || t_ - s.last_change_t[v] < kLaneChangeCooldownS)) continue;
      int ld, fo;
      size_t at;
      neighbours(tl, s.pos[v], v, ld, fo, at);
      const double gap_ahead = ld < 0 ? kInf : s.pos[ld] - length(ld) - s.pos[v];
      const double gap_behind = fo < 0 ? kInf : s.pos[v] - length(v) - s.pos[fo];
      if (needs && ld >= 0 && s.wants_lane[ld] == cl) {
        // Counter change: the leader of the target lane (ahead or alongside) wants our lane. Stop short of the
        // lane end by its length and gap so that it can enter our lane in front of us, after which our way
        // is free (SUMO's LC2013 "letting vehicles merge in at the end of the lane in case of counter-lane
        // change": myLeadingBlockerLength).
        s.reserve_m[v] = length(ld) + types_[trips_[ld].type].min_gap_m;
      }
      if (gap_ahead < 0.5 || gap_behind < 0.5) {
        if (needs) s.wants_lane[v] = tl;
        continue;
      }
      // MOBIL (Kesting, Treiber, Helbing 2007, Transp. Res. Rec. 1999): safety, then incentive.
      const double new_acc = accel_behind(v, tl, ld);
      const double new_follower_acc = fo < 0 ? 0 : idm_accel(types_[trips_[fo].type], s.speed[fo],
                                                              desired_speed(fo, tl), gap_behind, s.speed[v]);
      const double b_safe = needs ? t.emergency_decel_mps2 / 2 : t.decel_mps2;
      if (new_follower_acc < -b_safe || new_acc < -b_safe) {
        if (needs) s.wants_lane[v] = tl;
        continue;
      }
      if (mandatory) {
        best_gain = kInf, target = tl, best_insert = at;
        break;
      }
      const double cur_acc = accel_behind(v, cl, cur_leader);
      const double fo_before = fo < 0 ? 0 : accel_behind(fo, tl, ld);
      const double old_f_before = cur_follower < 0 ? 0 : accel_behind(cur_follower, cl, v);
      const double old_f_after = cur_follower < 0 ? 0 : accel_behind(cur_follower, cl, cur_leader);
      const double bias = dir < 0 ? t.keep_right_mps2 : -t.keep_right_mps2;
      const double gain = new_acc - cur_acc +
                          t.politeness * ((new_follower_acc - fo_before) + (old_f_after - old_f_before)) + bias;
      if (gain > t.change_threshold_mps2 && gain > best_gain) best_gain = gain, target = tl, best_insert = at;
    }
    if (best_gain <= 0 || target < 0) {
      if (s.wants_lane[v] >= 0) s.merging[s.wants_lane[v]].push_back(v);
      continue;
    }
    auto& from = s.on_lane[cl];
    from.erase(std::find(from.begin(), from.end(), v));
    auto& to = s.on_lane[target];
    to.insert(to.begin() + static_cast<std::ptrdiff_t>(std::min(best_insert, to.size())), v);
    s.lane[v] = target;
    s.last_change_t[v] = t_;
    s.wants_lane[v] = -1;
    s.reserve_m[v] = 0;
    changed = true;
  }
  if (!changed) return;
  // Keep each lane ordered by position (a change may have used an index computed before an erase).
  for (int l = first; l < first + n; ++l)
    std::stable_sort(s.on_lane[l].begin(), s.on_lane[l].end(),
                     [&](int a, int b) { return s.pos[a] > s.pos[b] || (s.pos[a] == s.pos[b] && a < b); });
}

void Simulation::request_link(int lane) {
  State& s = *s_;
  s.req_conn[lane] = kNoLink;
  s.req_blocked[lane] = 1;
  s.req_eta[lane] = kInf;
  s.req_dist[lane] = kInf;
  if (s.on_lane[lane].empty()) return;
  const int v = s.on_lane[lane][0];
  const int c = pick_connection(v, lane);
  s.req_conn[lane] = c;
  if (c < 0) return;
  const VehicleType& t = types_[trips_[v].type];
  const double dist = net_.lane_length_m[lane] - s.pos[v];
  s.req_dist[lane] = dist;
  const double speed = s.speed[v];
  bool blocked = false;
  const char st = s.link_state[c];
  if (st == 'r' || st == 'R') blocked = true;
  // Yellow: stop when the stop line can be reached with comfortable braking.
  if ((st == 'y' || st == 'Y') && speed * speed / (2 * t.decel_mps2) < dist) blocked = true;
  // Stop sign: the link opens once the vehicle has stood at the line (then it yields as a minor road).
  if (net_.conn_stop[c] && !s.stopped_at_line[v]) {
    if (speed < kHaltingSpeedMps && dist < kStopLineReachM) s.stopped_at_line[v] = 1;
    else blocked = true;
  }
  // Spill-back: the target lane has no room for this vehicle.
  const int to = net_.conn_to_lane[c];
  const auto& q = s.on_lane[to];
  if (!q.empty()) {
    const int last = q.back();
    const double room = s.pos[last] - types_[trips_[last].type].length_m;
    if (room < std::min(t.length_m, net_.lane_length_m[to]) + 0.5 && s.speed[last] < 1.0) blocked = true;
  }
  s.req_blocked[lane] = blocked;
  if (blocked) return;
  if (s.approach_t[v] < 0) s.approach_t[v] = t_;
  s.req_since[lane] = s.approach_t[v];
  s.req_eta[lane] = t_ + time_to_cover(dist, speed, t.accel_mps2, desired_speed(v, lane));
}

void Simulation::decide_right_of_way(int lane) {
  State& s = *s_;
  s.permitted[lane] = 0;
  const int c = s.req_conn[lane];
  if (c < 0 || s.req_blocked[lane]) return;
  const int j = net_.conn_junction[c];
  // Impatience (SUMO's --time-to-impatience): the accepted gap shrinks linearly with the time the vehicle
  // has stood, down to none, so that a minor stream is not starved for ever by a dense major one.
  const double tti = opt_.time_to_impatience_s;
  const double impatience = tti > 0 ? std::min(1.0, s.wait_s[s.on_lane[lane][0]] / tti) : 0.0;
  const double eta = s.req_eta[lane], gap = opt_.yield_gap_s * (1 - impatience);
  const int target = net_.conn_to_lane[c];
  auto approaching = [&](int foe) {
    const int fl = net_.conn_from_lane[foe];
    if (s.req_conn[fl] != foe) return false;
    if (!s.req_blocked[fl]) return s.req_eta[fl] < eta + gap;
    // A vehicle with right of way that waits for room on the very lane we want keeps its claim on that
    // room: taking it would starve the main stream (the way roundabouts lock up).
    return net_.conn_to_lane[foe] == target && s.req_dist[fl] < kClaimDistanceM &&
           s.link_state[foe] != 'r' && s.link_state[foe] != 'y';
  };
  bool go = true;
  switch (net_.junction_kind[j]) {
    case JunctionKind::dead_end: break;
    case JunctionKind::traffic_light:
      if (s.link_state[c] != 'g') break;
      [[fallthrough]];
    case JunctionKind::priority:
      for (int k = net_.conn_first_response[c]; go && k < net_.conn_first_response[c + 1]; ++k)
        go = !approaching(net_.conn_response[k]);
      break;
    case JunctionKind::all_way:
      // First come, first served; ties by lane index.
      for (int k = net_.conn_first_foe[c]; go && k < net_.conn_first_foe[c + 1]; ++k) {
        const int foe = net_.conn_foe[k];
        const int fl = net_.conn_from_lane[foe];
        if (!approaching(foe)) continue;
        const bool earlier = s.req_since[fl] < s.req_since[lane] || (s.req_since[fl] == s.req_since[lane] && fl < lane);
        go = !earlier;
      }
      break;
  }
  s.permitted[lane] = go;
}

bool Simulation::is_minor(int c) const {
  const int j = net_.conn_junction[c];
  switch (net_.junction_kind[j]) {
    case JunctionKind::priority: return net_.conn_first_response[c] < net_.conn_first_response[c + 1];
    case JunctionKind::all_way: return net_.conn_first_foe[c] < net_.conn_first_foe[c + 1];
    case JunctionKind::traffic_light: return s_->link_state[c] == 'g';
    default: return false;
  }
}

void Simulation::accelerate(int lane) {
  State& s = *s_;
  const auto& q = s.on_lane[lane];
  const double dt = opt_.step_s;
  const double lane_len = net_.lane_length_m[lane];
  const auto& merging = s.merging[lane];
  for (size_t k = 0; k < q.size(); ++k) {
    const int v = q[k];
    const VehicleType& t = types_[trips_[v].type];
    const double v0 = desired_speed(v, lane);
    double a, bound;
    if (k > 0) {
      const int ld = q[k - 1];
      const double gap = s.pos[ld] - types_[trips_[ld].type].length_m - s.pos[v];
      a = idm_accel(t, s.speed[v], v0, gap, s.speed[ld]);
      bound = gap;
    } else {
      const double dist = lane_len - s.pos[v];
      const int c = s.req_conn[lane];
      if (c == kArriving) {
        a = idm_accel(t, s.speed[v], v0, kInf, 0);
        bound = kInf;
      } else if (c >= 0 && s.permitted[lane]) {
        const auto& nq = s.on_lane[net_.conn_to_lane[c]];
        if (nq.empty()) {
          a = idm_accel(t, s.speed[v], v0, kInf, 0);
          bound = kInf;
        } else {
          const int last = nq.back();
          const double gap = dist + s.pos[last] - types_[trips_[last].type].length_m;
          a = idm_accel(t, s.speed[v], v0, gap, s.speed[last]);
          bound = gap;
        }
      } else {
        // Stop at the line: a standing obstacle s0 beyond it makes IDM come to rest at the line itself.
        a = idm_accel(t, s.speed[v], v0, dist + t.min_gap_m, 0);
        bound = dist;
      }
      // A minor link (one that yields) is approached slowly enough to stop within the foe visibility distance
      // at the line, as SUMO's vehicles do (MSVehicle "couldBrakeForMinor", visibility 4.5 m).
      if (c >= 0 && is_minor(c) && s.speed[v] > 0) {
        const double v_vis = std::sqrt(2 * t.decel_mps2 * kMinorVisibilityM);
        const double need = (v_vis * v_vis - s.speed[v] * s.speed[v]) / (2 * std::max(dist, 0.1));
        if (need < -0.5 * t.decel_mps2) a = std::min(a, need);
      }
    }
    if (s.reserve_m[v] > 0) {
      const double room = lane_len - s.reserve_m[v] - s.pos[v];
      a = std::min(a, idm_accel(t, s.speed[v], v0, std::max(room, 0.0) + t.min_gap_m, 0));
      bound = std::min(bound, std::max(room, 0.0));
    }
    // Cooperation: a vehicle of a neighbouring lane that must enter this lane ahead of us is a leader too.
    for (int m : merging) {
      if (s.pos[m] <= s.pos[v]) continue;
      const double gap = s.pos[m] - types_[trips_[m].type].length_m - s.pos[v];
      // Only a follower that, once standing, leaves the merger a gap it may take (the mandatory change's
      // safety test) waits for it; one already too close drives on and the merger changes behind it, as in
      // SUMO's LC2013 where the changer lets a blocking follower overtake it (MSLCM_LC2013::informFollower).
      // Waiting there would help no one: neither could move (a deadlock on short lanes).
      if (gap > 0 && idm_accel(t, 0.0, v0, gap, 0.0) >= -0.5 * t.emergency_decel_mps2)
        a = std::min(a, idm_accel(t, s.speed[v], v0, gap, s.speed[m]));
    }
    double nv = std::max(0.0, s.speed[v] + a * dt);
    nv = std::min(nv, std::max(0.0, bound) / dt);  // never into the space of the leader's old position
    s.new_speed[v] = nv;
  }
}

void Simulation::move(int lane) {
  State& s = *s_;
  auto& q = s.on_lane[lane];
  s.leaver[lane] = s.arriver[lane] = s.stuck[lane] = -1;
  if (q.empty()) return;
  const double dt = opt_.step_s;
  const double lane_len = net_.lane_length_m[lane];
  double veh_m = 0;
  for (size_t k = 0; k < q.size(); ++k) {
    const int v = q[k];
    const double nv = s.new_speed[v];
    s.speed[v] = nv;
    s.pos[v] += nv * dt;
    s.dist_m[v] += nv * dt;
    veh_m += nv * dt;
    s.wait_s[v] = nv < kHaltingSpeedMps ? s.wait_s[v] + dt : 0;
    if (k > 0 && s.pos[v] > lane_len) s.pos[v] = lane_len;
  }
  const double veh_s = dt * static_cast<double>(q.size());
  s.rec_veh_s[lane] += veh_s;
  s.tt_veh_s[lane] += veh_s;
  s.rec_veh_m[lane] += veh_m;
  s.tt_veh_m[lane] += veh_m;
  const int front = q[0];
  if (s.pos[front] > lane_len) {
    const int c = s.req_conn[lane];
    if (c == kArriving) {
      s.arriver[lane] = front;
    } else if (c >= 0 && s.permitted[lane]) {
      s.leaver[lane] = front;
    } else {
      s.pos[front] = lane_len;
      return;
    }
    q.erase(q.begin());
  } else if (s.wait_s[front] > opt_.teleport_after_s) {
    s.stuck[lane] = front;
  }
}

void Simulation::finish_trip(int v, double arrive_s) {
  State& s = *s_;
  s.status[v] = arrived;
  ++counters_.arrived;
  TripRecord r;
  r.trip = v;
  r.depart_s = trips_[v].depart_s;
  r.insert_s = s.insert_t[v];
  r.arrive_s = arrive_s;
  r.route_length_m = s.dist_m[v];
  for (int k = 0; k <= s.route_pos[v]; ++k) {
    const int e = s.route[v][k];
    const int l = net_.edge_first_lane[e];
    r.free_time_s += net_.edge_length_m[e] / std::max(0.1, desired_speed(v, l));
  }
  r.teleports = s.teleports[v];
  completed_.push_back(r);
}

void Simulation::hand_over() {
  State& s = *s_;
  auto arrive = [&](int v) { finish_trip(v, t_ + opt_.step_s); };
  auto& targets = s.targets;
  targets.clear();
  for (int l : s.active_lanes) {
    if (s.arriver[l] >= 0) arrive(s.arriver[l]);
    const int v = s.leaver[l];
    if (v < 0) continue;
    const int to = net_.conn_to_lane[s.req_conn[l]];
    s.pos[v] -= net_.lane_length_m[l];
    if (s.incoming[to].empty()) targets.push_back(to);
    s.incoming[to].push_back(v);
  }
  for (int to : targets) {
    auto& in = s.incoming[to];
    std::sort(in.begin(), in.end(), [&](int a, int b) { return s.pos[a] > s.pos[b] || (s.pos[a] == s.pos[b] && a < b); });
    auto& q = s.on_lane[to];
    for (int v : in) {
      if (!q.empty()) {
        const int back = q.back();
        const double limit = s.pos[back] - types_[trips_[back].type].length_m;
        if (opt_.collision_teleport && s.pos[v] > limit - types_[trips_[v].type].min_gap_m) {
          // Closer than its minimum gap behind the lane's last vehicle: SUMO registers a collision (its default
          // --collision.mingap-factor 1) and moves the follower on to the next edge of its route
          // (--collision.action teleport, MSVehicleTransfer).
          ++s.route_pos[v];
          s.lane[v] = to;
          start_transfer(TeleportEvent{t_, v, to, 'c'});
          continue;
        }
        if (limit < 0) {
          // Two vehicles reached the same lane in one step and there is no room for the second: it stays
          // at the stop line of the lane it came from (still its lane).
          const int from = s.lane[v];
          s.pos[v] = net_.lane_length_m[from];
          s.speed[v] = 0;
          s.on_lane[from].insert(s.on_lane[from].begin(), v);
          continue;
        }
        if (s.pos[v] > limit) {
          s.pos[v] = limit;
          s.speed[v] = std::min(s.speed[v], s.speed[back]);
        }
      }
      s.pos[v] = std::min(s.pos[v], net_.lane_length_m[to]);
      ++s.route_pos[v];
      enter_lane(v, to);
    }
    in.clear();
  }
}

void Simulation::resolve_gridlock() {
  State& s = *s_;
  for (int l : s.active_lanes) {
    const int v = s.stuck[l];
    if (v < 0) continue;
    s.stuck[l] = -1;
    auto& q = s.on_lane[l];
    if (q.empty() || q[0] != v) continue;
    TeleportEvent ev{t_, v, l, 'q'};
    const int c = s.req_conn[l];
    if (c == kNoLink) ev.reason = 'w';
    else if (c >= 0 && s.req_blocked[l]) ev.reason = (s.link_state[c] == 'r' || s.link_state[c] == 'y') ? 's' : 'j';
    else if (c >= 0 && !s.permitted[l]) ev.reason = 'y';
    q.erase(q.begin());
    start_transfer(ev);
  }
  advance_transfers();
}

void Simulation::start_transfer(const TeleportEvent& ev) {
  State& s = *s_;
  // SUMO's teleport (MSVehicleTransfer): the vehicle leaves the lane and travels on along its route at the
  // speed limits, off the network; it re-enters at the start of the first edge it reaches that has room,
  // and arrives if it reaches the end of its route first.
  teleport_events_.push_back(ev);
  ++counters_.teleports;
  ++s.teleports[ev.vehicle];
  s.transfer.push_back(ev.vehicle);
  s.transfer_t[ev.vehicle] = t_;
  counters_.teleporting = static_cast<long long>(s.transfer.size());
}

void Simulation::advance_transfers() {
  State& s = *s_;
  if (s.transfer.empty()) return;
  std::vector<std::int32_t> still;
  still.reserve(s.transfer.size());
  for (int v : s.transfer) {
    bool done = false;
    while (!done && s.transfer_t[v] <= t_ + 1e-9) {
      const int n = static_cast<int>(s.route[v].size());
      if (s.route_pos[v] + 1 >= n) {
        finish_trip(v, std::max(t_ + opt_.step_s, s.transfer_t[v]));
        done = true;
        break;
      }
      ++s.route_pos[v];
      const int e = s.route[v][s.route_pos[v]];
      if (try_place(v, e, types_[trips_[v].type].length_m, 0.0)) {
        done = true;
        break;
      }
      s.transfer_t[v] += free_time_s(e);
    }
    if (!done) still.push_back(v);
  }
  s.transfer.swap(still);
  counters_.teleporting = static_cast<long long>(s.transfer.size());
}

void Simulation::update_travel_times() {
  State& s = *s_;
  for (int e = 0; e < net_.edges(); ++e) {
    double veh_s = 0, veh_m = 0;
    for (int l = net_.edge_first_lane[e]; l < net_.edge_first_lane[e + 1]; ++l) {
      veh_s += s.tt_veh_s[l];
      veh_m += s.tt_veh_m[l];
      s.tt_veh_s[l] = s.tt_veh_m[l] = 0;
    }
    const double free = free_time_s(e);
    if (!edge_open(e)) {
      edge_time_s_[e] = kInf;
      continue;
    }
    double observed = free;
    if (veh_s > 0) observed = std::max(free, net_.edge_length_m[e] / std::max(veh_m / veh_s, 0.5));
    // Exponential smoothing over 60 s intervals, as SUMO's device.rerouting.adaptation-weight does.
    edge_time_s_[e] = std::isfinite(edge_time_s_[e]) ? 0.5 * edge_time_s_[e] + 0.5 * observed : observed;
  }
}

void Simulation::reroute(int v) {
  State& s = *s_;
  auto& route = s.route[v];
  const int rp = s.route_pos[v];
  const int from = route[rp];
  const int to = route.back();
  std::vector<std::int32_t> fresh;
  if (!router_.route(from, to, edge_time_s_, max_speed_mps_, fresh)) return;
  route.erase(route.begin() + rp, route.end());
  route.insert(route.end(), fresh.begin(), fresh.end());
}

void Simulation::reroute_all() {
  State& s = *s_;
  std::vector<std::int32_t> moving;
  for (size_t v = 0; v < s.status.size(); ++v)
    if (s.status[v] == running) moving.push_back(static_cast<std::int32_t>(v));
  arena_->execute([&] { parallel_indices(static_cast<int>(moving.size()), 8, [&](int i) { reroute(moving[i]); }); });
  counters_.reroutes += static_cast<long long>(moving.size());
}

void Simulation::set_lane_open(int lane, bool open) {
  s_->lane_open.at(lane) = open && net_.lane_car_allowed[lane];
  update_travel_times();
  update_depart_costs();
}

void Simulation::set_edge_open(int edge, bool open) {
  for (int l = net_.edge_first_lane.at(edge); l < net_.edge_first_lane[edge + 1]; ++l)
    s_->lane_open[l] = open && net_.lane_car_allowed[l];
  update_travel_times();
  update_depart_costs();
}

void Simulation::set_edge_speed(int edge, double speed_mps) {
  for (int l = net_.edge_first_lane.at(edge); l < net_.edge_first_lane[edge + 1]; ++l) s_->lane_speed[l] = speed_mps;
  update_depart_costs();
}

void Simulation::set_signal_program(int junction, SignalProgram program) {
  const int p = net_.junction_program.at(junction);
  if (p < 0) throw std::invalid_argument("traffic: junction " + net_.junction_id[junction] + " has no signal");
  const size_t links = net_.junction_first_link[junction + 1] - net_.junction_first_link[junction];
  for (const auto& ph : program.phases)
    if (ph.state.size() != links || !(ph.duration_s > 0))
      throw std::invalid_argument("traffic: signal program for " + net_.junction_id[junction] + ": each phase needs " +
                                  std::to_string(links) + " link states and a positive duration");
  if (program.phases.empty()) throw std::invalid_argument("traffic: empty signal program");
  s_->programs[p] = std::move(program);
}

void Simulation::scale_demand(double scale) {
  State& s = *s_;
  if (!(scale >= 0)) throw std::invalid_argument("traffic: demand scale must be >= 0");
  const size_t n = trips_.size();
  std::vector<std::int32_t> added;
  for (size_t v = 0; v < n; ++v) {
    if (s.status[v] != not_departed) continue;
    auto rng = random_stream(opt_.seed, kDemandStream + static_cast<std::uint64_t>(t_ * 1000), v);
    double copies = scale;
    int whole = static_cast<int>(std::floor(copies));
    if (uniform01(rng) < copies - whole) ++whole;
    if (whole == 0) {
      s.status[v] = dropped;
      continue;
    }
    for (int k = 1; k < whole; ++k) added.push_back(static_cast<std::int32_t>(v));
  }
  for (int src : added) {
    Trip copy = trips_[src];
    copy.id += "#x" + std::to_string(trips_.size());
    copy.route = s.route[src];
    const size_t v = trips_.size();
    trips_.push_back(std::move(copy));
    s.resize_vehicles(trips_.size());
    s.route[v] = s.route[src];
    s.factor[v] = s.factor[src];
    ++counters_.loaded;
  }
  // Departure order of what is left (stable: by time, then index).
  std::vector<std::int32_t> rest;
  for (size_t v = 0; v < trips_.size(); ++v)
    if (s.status[v] == not_departed) rest.push_back(static_cast<std::int32_t>(v));
  std::stable_sort(rest.begin(), rest.end(), [&](int a, int b) { return trips_[a].depart_s < trips_[b].depart_s; });
  s.depart_order = std::move(rest);
  s.next_depart = 0;
}

Simulation::EdgeStats Simulation::take_edge_stats() {
  State& s = *s_;
  EdgeStats out;
  const int ne = net_.edges();
  out.vehicle_s.assign(ne, 0);
  out.vehicle_m.assign(ne, 0);
  out.entered.assign(ne, 0);
  for (int l = 0; l < net_.lanes(); ++l) {
    const int e = net_.lane_edge[l];
    out.vehicle_s[e] += s.rec_veh_s[l];
    out.vehicle_m[e] += s.rec_veh_m[l];
    out.entered[e] += s.rec_entered[l];
    s.rec_veh_s[l] = s.rec_veh_m[l] = s.rec_entered[l] = 0;
  }
  return out;
}

int Simulation::lane_vehicle_count(int lane) const { return static_cast<int>(s_->on_lane.at(lane).size()); }
const std::vector<std::int32_t>& Simulation::lane_vehicles(int lane) const { return s_->on_lane.at(lane); }
double Simulation::vehicle_pos(int v) const { return s_->pos.at(v); }
double Simulation::vehicle_speed(int v) const { return s_->speed.at(v); }
int Simulation::vehicle_lane(int v) const { return s_->lane.at(v); }
const VehicleType& Simulation::vehicle_type(int v) const { return types_[trips_.at(v).type]; }
TripStatus Simulation::trip_status(int v) const {
  return s_->status.at(v);
}
double Simulation::vehicle_insert_time(int v) const { return s_->insert_t.at(v); }
double Simulation::vehicle_distance_m(int v) const { return s_->dist_m.at(v); }

}  // namespace citytwin::traffic
