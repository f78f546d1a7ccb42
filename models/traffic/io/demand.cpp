#include "models/traffic/io/demand.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "engine/geo/spatial_index.hpp"
#include "models/traffic/io/xml.hpp"

namespace citytwin::traffic::io {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

int type_index(const std::vector<VehicleType>& types, const std::string& id) {
  for (size_t i = 0; i < types.size(); ++i)
    if (types[i].id == id) return static_cast<int>(i);
  return -1;
}

}  // namespace

std::vector<VehicleType> builtin_types() {
  VehicleType car;
  VehicleType truck;
  truck.id = "truck";
  truck.length_m = 12;
  truck.max_speed_mps = 25;
  truck.accel_mps2 = 1.3;
  truck.decel_mps2 = 4.0;
  truck.speed_dev = 0.05;
  VehicleType bus = truck;
  bus.id = "bus";
  bus.accel_mps2 = 1.2;
  bus.max_speed_mps = 23.6;
  return {car, truck, bus};
}

Demand parse_trips_csv(std::string_view text, const std::string& name, const Network& net) {
  Demand d;
  d.types = builtin_types();
  std::unordered_map<std::string, int> edge_of;
  for (int e = 0; e < net.edges(); ++e) edge_of.emplace(net.edge_id[e], e);
  std::optional<PolylineIndex> edge_index;
  int line_no = 0;
  size_t start = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a UTF-8 byte order mark (spreadsheet exports)
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> f;
    size_t p = 0;
    while (true) {
      const size_t c = line.find(',', p);
      f.push_back(trim(line.substr(p, c == std::string_view::npos ? std::string_view::npos : c - p)));
      if (c == std::string_view::npos) break;
      p = c + 1;
    }
    const SourceLocation at{name, line_no, ""};
    if (d.trips.empty() && !f.empty() && f[0] == "depart") continue;  // header
    if (f.size() < 3 || f.size() > 4)
      throw InputError(at, "expected depart,from,to[,vehicle_type], got " + std::to_string(f.size()) + " fields");
    auto depart = parse_time(f[0]);
    if (!depart)
      throw InputError(at, "depart: expected seconds or H:MM:SS from 0 to 366 days, got '" + std::string(f[0]) + "'");
    auto edge = [&](std::string_view s, const char* what) {
      if (auto it = edge_of.find(std::string(s)); it != edge_of.end()) return it->second;
      const size_t sp = s.find_first_of(" \t");
      if (sp != std::string_view::npos) {
        auto x = parse_number(s.substr(0, sp)), y = parse_number(s.substr(sp + 1));
        if (x && y) {
          double d = 0;
          if (!edge_index) edge_index.emplace(net.edge_shape);  // built on the first trip given by coordinates
          const int e = edge_index->nearest({*x, *y}, &d);
          if (e >= 0 && d <= kMaxSnapM) return e;
          if (e >= 0)
            throw InputError(at, std::string(what) + ": '" + std::string(s) + "' lies " + std::to_string(std::lround(std::min(d, 1e12))) +
                                     " m from the nearest road (at most " + std::to_string(std::lround(kMaxSnapM)) + " m)");
        }
      }
      throw InputError(at, std::string(what) + ": '" + std::string(s) + "' is neither an edge ID nor coordinates 'x y'");
    };
    Trip t;
    t.id = std::to_string(d.trips.size());
    t.depart_s = *depart;
    t.from_edge = edge(f[1], "from");
    t.to_edge = edge(f[2], "to");
    if (f.size() == 4 && !f[3].empty()) {
      t.type = type_index(d.types, std::string(f[3]));
      if (t.type < 0) throw InputError(at, "vehicle_type: unknown type '" + std::string(f[3]) + "' (car, truck, bus)");
    }
    d.trips.push_back(std::move(t));
  }
  if (d.trips.empty()) throw InputError(SourceLocation{name, 0, ""}, "no trips (expected depart,from,to[,vehicle_type] lines)");
  return d;
}

Demand parse_sumo_demand(std::string_view text, const std::string& name, const Network& net) {
  Demand d;
  d.types = builtin_types();
  d.types[0].id = "DEFAULT_VEHTYPE";  // SUMO's name for its default passenger car
  std::unordered_map<std::string, int> edge_of;
  for (int e = 0; e < net.edges(); ++e) edge_of.emplace(net.edge_id[e], e);
  std::unordered_map<std::string, std::vector<std::int32_t>> routes;
  bool saw_root = false;
  long open_vehicle = -1;  // index of a <vehicle> waiting for its nested <route>
  int open_vehicle_line = 0;
  std::vector<Trip> flows_pending;

  auto parse_edges = [&](const XmlElement& el, const std::string& list) {
    std::vector<std::int32_t> out;
    size_t i = 0;
    while (i < list.size()) {
      while (i < list.size() && list[i] == ' ') ++i;
      size_t j = i;
      while (j < list.size() && list[j] != ' ') ++j;
      if (j > i) {
        auto it = edge_of.find(list.substr(i, j - i));
        if (it == edge_of.end()) el.fail("unknown edge '" + list.substr(i, j - i) + "'");
        out.push_back(it->second);
      }
      i = j;
    }
    if (out.empty()) el.fail("empty list of edges");
    return out;
  };
  auto edge_attr = [&](const XmlElement& el, const char* key) {
    const std::string id = el.text(key);
    auto it = edge_of.find(id);
    if (it == edge_of.end()) el.fail(std::string(key) + ": unknown edge '" + id + "'");
    return it->second;
  };
  auto type_attr = [&](const XmlElement& el) {
    if (!el.find("type")) return 0;
    const int t = type_index(d.types, el.text("type"));
    if (t < 0) el.fail("unknown vType '" + el.text("type") + "'");
    return t;
  };
  auto depart_attr = [&](const XmlElement& el, const char* key) {
    const std::string v = el.text(key);
    auto t = parse_time(v);
    if (!t) el.fail(std::string(key) + ": expected a time from 0 to 366 days, got '" + v + "'");
    return *t;
  };

  parse_xml(
      text, name,
      [&](const XmlElement& el) {
        const auto n = el.name();
        if (n == "routes" || n == "trips") {
          saw_root = true;
        } else if (n == "vType") {
          VehicleType t;
          t.id = el.text("id");
          if (type_index(d.types, t.id) >= 0 && t.id != "DEFAULT_VEHTYPE") el.fail("duplicate vType '" + t.id + "'");
          t.accel_mps2 = el.number_or("accel", t.accel_mps2);
          t.decel_mps2 = el.number_or("decel", t.decel_mps2);
          t.emergency_decel_mps2 = el.number_or("emergencyDecel", std::max(t.emergency_decel_mps2, t.decel_mps2));
          t.length_m = el.number_or("length", t.length_m);
          t.min_gap_m = el.number_or("minGap", t.min_gap_m);
          t.max_speed_mps = el.number_or("maxSpeed", t.max_speed_mps);
          t.headway_s = el.number_or("tau", t.headway_s);
          t.delta = el.number_or("delta", t.delta);
          t.speed_factor = el.number_or("speedFactor", t.speed_factor);
          t.speed_dev = el.number_or("speedDev", t.speed_dev);
          if (!(t.accel_mps2 > 0 && t.decel_mps2 > 0 && t.length_m > 0 && t.min_gap_m >= 0 && t.max_speed_mps > 0 &&
                t.headway_s > 0 && t.delta > 0 && t.speed_factor > 0 && t.speed_dev >= 0))
            el.fail("vType '" + t.id + "': accel, decel, length, maxSpeed, tau, delta, speedFactor must be positive");
          const int existing = type_index(d.types, t.id);
          if (existing >= 0) d.types[existing] = t;
          else d.types.push_back(t);
        } else if (n == "route") {
          const auto edges = parse_edges(el, el.text("edges"));
          if (open_vehicle >= 0) {
            Trip& v = d.trips[open_vehicle];
            v.route = edges;
            v.from_edge = edges.front();
            v.to_edge = edges.back();
          } else {
            routes[el.text("id")] = edges;
          }
        } else if (n == "vehicle" || n == "trip") {
          if (open_vehicle >= 0) el.fail("nested inside <vehicle>");
          Trip t;
          t.id = el.text("id");
          t.depart_s = depart_attr(el, "depart");
          t.type = type_attr(el);
          if (n == "trip") {
            t.from_edge = edge_attr(el, "from");
            t.to_edge = edge_attr(el, "to");
          } else if (el.find("route")) {
            auto it = routes.find(el.text("route"));
            if (it == routes.end()) el.fail("unknown route '" + el.text("route") + "'");
            t.route = it->second;
            t.from_edge = t.route.front();
            t.to_edge = t.route.back();
          }
          d.trips.push_back(std::move(t));
          if (n == "vehicle" && d.trips.back().route.empty()) {
            open_vehicle = static_cast<long>(d.trips.size()) - 1;
            open_vehicle_line = el.line();
          }
        } else if (n == "flow") {
          if (open_vehicle >= 0) el.fail("nested inside <vehicle>");
          const double begin = depart_attr(el, "begin"), end = depart_attr(el, "end");
          double period = 0;
          if (el.find("period")) period = el.number("period");
          else if (el.find("vehsPerHour")) period = 3600.0 / el.number("vehsPerHour");
          else if (el.find("number")) {
            const double number = el.number("number");
            if (!(number >= 1)) el.fail("flow: number must be at least 1");
            period = (end - begin) / number;
          }
          else el.fail("flow needs period, vehsPerHour or number");
          if (!(period > 0) || !std::isfinite(period) || !(end >= begin))
            el.fail("flow: period (or vehsPerHour) must be positive and end not before begin");
          if ((end - begin) / period > 1e6) el.fail("flow: more than a million vehicles");
          Trip proto;
          proto.type = type_attr(el);
          if (el.find("route")) {
            auto it = routes.find(el.text("route"));
            if (it == routes.end()) el.fail("unknown route '" + el.text("route") + "'");
            proto.route = it->second;
            proto.from_edge = proto.route.front();
            proto.to_edge = proto.route.back();
          } else {
            proto.from_edge = edge_attr(el, "from");
            proto.to_edge = edge_attr(el, "to");
          }
          if (d.trips.size() + (end - begin) / period > 5e6) el.fail("more than 5 million trips in the file");
          const std::string id = el.text("id");
          int k = 0;
          for (double t = begin; t < end - 1e-9; t += period, ++k) {
            Trip trip = proto;
            trip.id = id + "." + std::to_string(k);
            trip.depart_s = t;
            d.trips.push_back(std::move(trip));
          }
        }
      },
      [&](std::string_view n) {
        if (n == "vehicle" && open_vehicle >= 0) {
          if (d.trips[open_vehicle].route.empty())
            throw InputError(SourceLocation{name, open_vehicle_line, ""},
                             "<vehicle> '" + d.trips[open_vehicle].id + "' has neither a route attribute nor a <route>");
          open_vehicle = -1;
        }
      });
  if (!saw_root) throw InputError(SourceLocation{name, 0, ""}, "not a SUMO routes file (no <routes> or <trips>)");
  if (d.trips.empty()) throw InputError(SourceLocation{name, 0, ""}, "no vehicle, trip or flow in the file");
  std::stable_sort(d.trips.begin(), d.trips.end(), [](const Trip& a, const Trip& b) { return a.depart_s < b.depart_s; });
  return d;
}

Demand read_demand(const std::string& path, const Network& net) {
  const std::string text = read_file(path);
  if (path.ends_with(".xml")) return parse_sumo_demand(text, path, net);
  return parse_trips_csv(text, path, net);
}

}  // namespace citytwin::traffic::io
