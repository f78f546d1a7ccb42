#include "models/traffic/network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace citytwin::traffic {

const char* to_string(JunctionKind k) {
  switch (k) {
    case JunctionKind::priority: return "priority";
    case JunctionKind::all_way: return "all_way";
    case JunctionKind::traffic_light: return "traffic_light";
    case JunctionKind::dead_end: return "dead_end";
  }
  return "?";
}

double SignalProgram::cycle_s() const {
  double c = 0;
  for (const auto& p : phases) c += p.duration_s;
  return c;
}

int SignalProgram::phase_at(double t_s) const {
  const double cycle = cycle_s();
  if (phases.empty() || cycle <= 0) return 0;
  double u = std::fmod(t_s + offset_s, cycle);
  if (u < 0) u += cycle;
  for (size_t i = 0; i < phases.size(); ++i) {
    if (u < phases[i].duration_s) return static_cast<int>(i);
    u -= phases[i].duration_s;
  }
  return static_cast<int>(phases.size()) - 1;
}

int Network::find_edge(const std::string& id) const {
  auto it = std::find(edge_id.begin(), edge_id.end(), id);
  return it == edge_id.end() ? -1 : static_cast<int>(it - edge_id.begin());
}

namespace {
}  // namespace

double Network::lane_km() const {
  double m = 0;
  for (double l : lane_length_m) m += l;
  return m / 1000.0;
}

int Network::signalised_junctions() const {
  return static_cast<int>(std::count(junction_kind.begin(), junction_kind.end(), JunctionKind::traffic_light));
}

void Network::finalise() {
  const int nj = junctions(), ne = edges(), nl = lanes(), nc = connections();
  auto check = [](bool ok, const char* what) {
    if (!ok) throw std::logic_error(std::string("traffic network: ") + what);
  };
  check(static_cast<int>(junction_pos.size()) == nj && static_cast<int>(junction_kind.size()) == nj &&
            static_cast<int>(junction_program.size()) == nj &&
            static_cast<int>(junction_first_link.size()) == nj + 1,
        "junction tables differ in size");
  check(static_cast<int>(edge_from.size()) == ne && static_cast<int>(edge_to.size()) == ne &&
            static_cast<int>(edge_length_m.size()) == ne && static_cast<int>(edge_speed_mps.size()) == ne &&
            static_cast<int>(edge_priority.size()) == ne && static_cast<int>(edge_first_lane.size()) == ne + 1 &&
            static_cast<int>(edge_city.size()) == ne && static_cast<int>(edge_shape.size()) == ne,
        "edge tables differ in size");
  check(static_cast<int>(lane_index.size()) == nl && static_cast<int>(lane_length_m.size()) == nl &&
            static_cast<int>(lane_speed_mps.size()) == nl,
        "lane tables differ in size");
  if (conn_stop.empty()) conn_stop.assign(nc, 0);
  check(static_cast<int>(conn_to_lane.size()) == nc && static_cast<int>(conn_junction.size()) == nc &&
            static_cast<int>(conn_stop.size()) == nc &&
            static_cast<int>(conn_link.size()) == nc && static_cast<int>(conn_turn.size()) == nc &&
            static_cast<int>(conn_first_foe.size()) == nc + 1 &&
            static_cast<int>(conn_first_response.size()) == nc + 1,
        "connection tables differ in size");
  for (int e = 0; e < ne; ++e) {
    check(edge_from[e] >= 0 && edge_from[e] < nj && edge_to[e] >= 0 && edge_to[e] < nj, "edge junction index");
    check(edge_first_lane[e + 1] > edge_first_lane[e], "edge without lanes");
    for (int l = edge_first_lane[e]; l < edge_first_lane[e + 1]; ++l)
      check(lane_edge[l] == e && lane_index[l] == l - edge_first_lane[e], "lane order");
  }
  for (int c = 0; c < nc; ++c) {
    const int j = conn_junction[c];
    check(j >= 0 && j < nj && c >= junction_first_link[j] && c < junction_first_link[j + 1] &&
              conn_link[c] == c - junction_first_link[j],
          "connection order");
    check(edge_to[lane_edge[conn_from_lane[c]]] == j && edge_from[lane_edge[conn_to_lane[c]]] == j,
          "connection does not pass its junction");
    for (int k = conn_first_response[c]; k < conn_first_response[c + 1]; ++k)
      check(conn_junction[conn_response[k]] == j, "response outside the junction");
  }
  for (int j = 0; j < nj; ++j)
    if (junction_kind[j] == JunctionKind::traffic_light) {
      check(junction_program[j] >= 0 && junction_program[j] < static_cast<int>(programs.size()),
            "signalised junction without program");
      const auto& prog = programs[junction_program[j]];
      check(!prog.phases.empty() && prog.cycle_s() > 0, "empty signal program");
      for (const auto& ph : prog.phases)
        check(static_cast<int>(ph.state.size()) == junction_first_link[j + 1] - junction_first_link[j],
              "signal state length differs from the junction's links");
    }

  if (lane_car_allowed.empty()) lane_car_allowed.assign(nl, 1);
  if (lane_offset_m.empty())
    for (int l = 0; l < nl; ++l)
      lane_offset_m.push_back((edge_lanes(lane_edge[l]) / 2.0 - lane_index[l] - 0.5) * kDefaultLaneWidthM);
  check(static_cast<int>(lane_offset_m.size()) == nl, "lane offsets differ in size");
  check(static_cast<int>(lane_car_allowed.size()) == nl, "lane tables differ in size");
  // Lane CSR of outgoing and incoming connections (stable: connection order).
  auto build_csr = [&](const std::vector<std::int32_t>& key, std::vector<std::int32_t>& first,
                       std::vector<std::int32_t>& items) {
    first.assign(nl + 1, 0);
    for (int c = 0; c < nc; ++c) ++first[key[c] + 1];
    for (int l = 0; l < nl; ++l) first[l + 1] += first[l];
    items.assign(nc, 0);
    std::vector<std::int32_t> fill(first.begin(), first.end() - 1);
    for (int c = 0; c < nc; ++c) items[fill[key[c]]++] = c;
  };
  build_csr(conn_from_lane, lane_first_out, lane_out);
  build_csr(conn_to_lane, lane_first_in, lane_in);

  edge_first_next.assign(ne + 1, 0);
  edge_next.clear();
  for (int e = 0; e < ne; ++e) {
    std::vector<std::int32_t> next;
    for (int l = edge_first_lane[e]; l < edge_first_lane[e + 1]; ++l)
      for (int k = lane_first_out[l]; k < lane_first_out[l + 1]; ++k)
        if (lane_car_allowed[l] && lane_car_allowed[conn_to_lane[lane_out[k]]]) next.push_back(edge_of_conn_to(lane_out[k]));
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    edge_next.insert(edge_next.end(), next.begin(), next.end());
    edge_first_next[e + 1] = static_cast<std::int32_t>(edge_next.size());
  }
}

}  // namespace citytwin::traffic
