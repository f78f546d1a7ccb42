#include "models/traffic/io/sumo_net.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "models/traffic/io/xml.hpp"

namespace citytwin::traffic::io {
namespace {

struct RawLane {
  std::string id;
  int index = 0;
  double speed = 0, length = 0;
  bool cars = true;
  Polyline shape;
};
struct RawEdge {
  std::string id, from, to;
  int priority = 0, line = 0;
  Polyline shape;
  std::vector<RawLane> lanes;
};
struct RawRequest {
  int index;
  std::string response, foes;
};
struct RawJunction {
  std::string id, type;
  Point2 pos;
  std::vector<std::string> inc_lanes;
  std::vector<RawRequest> requests;
  int line = 0;
};
struct RawConnection {
  std::string from, to, dir, tl, state;
  int from_lane = 0, to_lane = 0, link_index = -1, line = 0;
};
struct RawProgram {
  double offset = 0;
  std::vector<SignalPhase> phases;
  int line = 0;
};

std::vector<std::string> split_ws(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

Polyline parse_shape(const XmlElement& el, const std::string& text) {
  Polyline line;
  for (const auto& pt : split_ws(text)) {
    const size_t c = pt.find(',');
    auto x = parse_number(std::string_view(pt).substr(0, c));
    auto y = c == std::string::npos ? std::nullopt : parse_number(std::string_view(pt).substr(c + 1, pt.find(',', c + 1) - c - 1));
    if (!x || !y) el.fail("shape: expected 'x,y' points, got '" + pt + "'");
    line.push_back({*x, *y});
  }
  return line;
}

int to_int(const XmlElement& el, std::string_view key, double lo, double hi) {
  const double v = el.number(key);
  if (!(v >= lo && v <= hi) || v != std::floor(v))
    el.fail("attribute '" + std::string(key) + "': expected a whole number in [" + std::to_string(static_cast<long long>(lo)) +
            ", " + std::to_string(static_cast<long long>(hi)) + "]");
  return static_cast<int>(v);
}

Turn turn_of(const std::string& dir) {
  if (dir == "r" || dir == "R") return Turn::right;
  if (dir == "l" || dir == "L") return Turn::left;
  if (dir == "t" || dir == "T") return Turn::uturn;
  return Turn::straight;
}

JunctionKind kind_of(const std::string& type) {
  if (type == "traffic_light" || type == "traffic_light_right_on_red" || type == "traffic_light_unregulated")
    return JunctionKind::traffic_light;
  if (type == "right_before_left" || type == "left_before_right" || type == "allway_stop")
    return JunctionKind::all_way;
  if (type == "dead_end" || type == "unregulated" || type == "district" || type == "internal") return JunctionKind::dead_end;
  return JunctionKind::priority;
}

}  // namespace

Network parse_sumo_net(std::string_view text, const std::string& name) {
  std::vector<RawEdge> edges;
  std::vector<RawJunction> junctions;
  std::vector<RawConnection> conns;
  std::unordered_map<std::string, RawProgram> programs;
  bool in_internal_edge = false, in_junction = false, saw_net = false;
  std::string program_id;

  parse_xml(
      text, name,
      [&](const XmlElement& el) {
        const auto n = el.name();
        if (n == "net") {
          saw_net = true;
        } else if (n == "edge") {
          const std::string fn = el.text_or("function", "");
          in_internal_edge = !fn.empty() && fn != "normal";
          if (in_internal_edge) return;
          RawEdge e;
          e.id = el.text("id");
          e.from = el.text("from");
          e.to = el.text("to");
          e.priority = el.find("priority") ? to_int(el, "priority", -1e6, 1e6) : 0;
          if (el.find("shape")) e.shape = parse_shape(el, el.text("shape"));
          e.line = el.line();
          edges.push_back(std::move(e));
        } else if (n == "lane") {
          if (in_internal_edge) return;
          if (edges.empty()) el.fail("lane outside an edge");
          RawLane l;
          l.id = el.text("id");
          l.index = to_int(el, "index", 0, 63);
          l.speed = el.number("speed");
          l.length = el.number("length");
          if (!(l.speed > 0) || !(l.length >= 0)) el.fail("speed must be positive and length not negative");
          const auto allow = split_ws(el.text_or("allow", "")), disallow = split_ws(el.text_or("disallow", ""));
          auto has = [](const std::vector<std::string>& v, const char* x) { return std::find(v.begin(), v.end(), x) != v.end(); };
          l.cars = (allow.empty() || has(allow, "passenger") || has(allow, "all")) && !has(disallow, "passenger") &&
                   !has(disallow, "all");
          if (el.find("shape")) l.shape = parse_shape(el, el.text("shape"));
          edges.back().lanes.push_back(std::move(l));
        } else if (n == "junction") {
          in_junction = true;
          RawJunction j;
          j.id = el.text("id");
          j.type = el.text("type");
          j.pos = {el.number("x"), el.number("y")};
          j.inc_lanes = split_ws(el.text_or("incLanes", ""));
          j.line = el.line();
          if (j.type != "internal") junctions.push_back(std::move(j));
        } else if (n == "request") {
          if (!in_junction || junctions.empty()) el.fail("request outside a junction");
          junctions.back().requests.push_back(
              {to_int(el, "index", 0, 1 << 20), el.text("response"), el.text("foes")});
        } else if (n == "connection") {
          RawConnection c;
          c.from = el.text("from");
          c.to = el.text("to");
          if (c.from.starts_with(':') || c.to.starts_with(':')) return;
          c.from_lane = to_int(el, "fromLane", 0, 63);
          c.to_lane = to_int(el, "toLane", 0, 63);
          c.dir = el.text_or("dir", "s");
          c.state = el.text_or("state", "");
          c.tl = el.text_or("tl", "");
          if (!c.tl.empty()) c.link_index = to_int(el, "linkIndex", 0, 1 << 20);
          c.line = el.line();
          conns.push_back(std::move(c));
        } else if (n == "tlLogic") {
          program_id = el.text("id");
          RawProgram p;
          p.offset = el.number_or("offset", 0);
          p.line = el.line();
          const std::string type = el.text_or("type", "static");
          if (type != "static") el.fail("only static signal programs are supported, got type '" + type + "'");
          programs[program_id] = std::move(p);
        } else if (n == "phase") {
          if (program_id.empty()) el.fail("phase outside a tlLogic");
          const double d = el.number("duration");
          if (!(d > 0)) el.fail("duration must be positive");
          programs[program_id].phases.push_back({d, el.text("state")});
        }
      },
      [&](std::string_view n) {
        if (n == "edge") in_internal_edge = false;
        if (n == "junction") in_junction = false;
        if (n == "tlLogic") program_id.clear();
      });
  if (!saw_net) throw InputError(SourceLocation{name, 0, ""}, "not a SUMO network (no <net> element)");
  if (edges.empty()) throw InputError(SourceLocation{name, 0, ""}, "the network has no edges");

  Network net;
  std::unordered_map<std::string, int> junction_of, edge_of;
  for (size_t j = 0; j < junctions.size(); ++j)
    if (!junction_of.emplace(junctions[j].id, static_cast<int>(j)).second)
      throw InputError(SourceLocation{name, junctions[j].line, ""}, "duplicate junction '" + junctions[j].id + "'");
  std::unordered_map<std::string, int> lane_of;  // lane id -> global lane index
  for (size_t i = 0; i < edges.size(); ++i) {
    RawEdge& e = edges[i];
    SourceLocation at{name, e.line, ""};
    if (!edge_of.emplace(e.id, static_cast<int>(i)).second) throw InputError(at, "duplicate edge '" + e.id + "'");
    auto f = junction_of.find(e.from), t = junction_of.find(e.to);
    if (f == junction_of.end() || t == junction_of.end())
      throw InputError(at, "edge '" + e.id + "' refers to an unknown junction");
    if (e.lanes.empty()) throw InputError(at, "edge '" + e.id + "' has no lanes");
    std::sort(e.lanes.begin(), e.lanes.end(), [](const RawLane& a, const RawLane& b) { return a.index < b.index; });
    for (size_t k = 0; k < e.lanes.size(); ++k)
      if (e.lanes[k].index != static_cast<int>(k))
        throw InputError(at, "edge '" + e.id + "': lane indices must be 0.." + std::to_string(e.lanes.size() - 1));
    net.edge_id.push_back(e.id);
    net.edge_from.push_back(f->second);
    net.edge_to.push_back(t->second);
    net.edge_priority.push_back(e.priority);
    net.edge_city.push_back(-1);
    double length = 0, speed = 0;
    for (const auto& l : e.lanes) length = std::max(length, l.length), speed = std::max(speed, l.speed);
    net.edge_length_m.push_back(std::max(length, 0.1));
    net.edge_speed_mps.push_back(speed);
    Polyline shape = !e.shape.empty() ? e.shape : e.lanes[e.lanes.size() / 2].shape;
    if (shape.size() < 2) shape = {junctions[f->second].pos, junctions[t->second].pos};
    net.edge_shape.push_back(std::move(shape));
    net.edge_first_lane.push_back(net.lanes());
    for (const auto& l : e.lanes) {
      lane_of[l.id] = net.lanes();
      net.lane_edge.push_back(static_cast<int>(i));
      net.lane_index.push_back(l.index);
      net.lane_length_m.push_back(std::max(l.length, 0.1));
      net.lane_speed_mps.push_back(l.speed);
      net.lane_car_allowed.push_back(l.cars);
    }
  }
  net.edge_first_lane.push_back(net.lanes());

  // Connections grouped by their from-lane, in file order.
  std::unordered_map<int, std::vector<int>> conns_of_lane;
  std::vector<int> conn_to(conns.size(), -1), conn_from(conns.size(), -1);
  for (size_t c = 0; c < conns.size(); ++c) {
    const RawConnection& rc = conns[c];
    SourceLocation at{name, rc.line, ""};
    auto fe = edge_of.find(rc.from), te = edge_of.find(rc.to);
    if (fe == edge_of.end() || te == edge_of.end())
      throw InputError(at, "connection refers to an unknown edge ('" + rc.from + "' -> '" + rc.to + "')");
    if (rc.from_lane >= net.edge_lanes(fe->second) || rc.to_lane >= net.edge_lanes(te->second))
      throw InputError(at, "connection refers to a lane the edge does not have");
    if (net.edge_to[fe->second] != net.edge_from[te->second])
      throw InputError(at, "connection joins edges that do not meet at one junction");
    conn_from[c] = net.edge_first_lane[fe->second] + rc.from_lane;
    conn_to[c] = net.edge_first_lane[te->second] + rc.to_lane;
    conns_of_lane[conn_from[c]].push_back(static_cast<int>(c));
  }

  net.junction_first_link.push_back(0);
  net.conn_first_foe.clear();
  net.conn_first_response.clear();
  for (size_t j = 0; j < junctions.size(); ++j) {
    const RawJunction& rj = junctions[j];
    SourceLocation at{name, rj.line, ""};
    net.junction_id.push_back(rj.id);
    net.junction_pos.push_back(rj.pos);
    JunctionKind kind = kind_of(rj.type);
    // Links in SUMO's request order: incoming lanes in incLanes order, each lane's connections in file order.
    std::vector<int> links;
    for (const auto& lane_id : rj.inc_lanes) {
      if (lane_id.starts_with(':')) continue;
      auto l = lane_of.find(lane_id);
      if (l == lane_of.end()) throw InputError(at, "junction '" + rj.id + "': unknown incoming lane '" + lane_id + "'");
      auto it = conns_of_lane.find(l->second);
      if (it != conns_of_lane.end()) links.insert(links.end(), it->second.begin(), it->second.end());
    }
    for (int c : links)
      if (net.edge_to[net.lane_edge[conn_from[c]]] != static_cast<int>(j))
        throw InputError(SourceLocation{name, conns[c].line, ""}, "connection does not end at junction '" + rj.id + "'");
    const int n = static_cast<int>(links.size());
    const bool has_logic = !rj.requests.empty();
    if (has_logic && static_cast<int>(rj.requests.size()) != n)
      throw InputError(at, "junction '" + rj.id + "': " + std::to_string(rj.requests.size()) + " requests for " +
                               std::to_string(n) + " connections");
    std::vector<const RawRequest*> request(n, nullptr);
    for (const auto& r : rj.requests) {
      if (r.index >= n || request[r.index])
        throw InputError(at, "junction '" + rj.id + "': request index " + std::to_string(r.index) + " out of range or repeated");
      if (static_cast<int>(r.response.size()) != n || static_cast<int>(r.foes.size()) != n)
        throw InputError(at, "junction '" + rj.id + "': response and foes need " + std::to_string(n) + " digits");
      request[r.index] = &r;
    }
    const int base = net.connections();
    for (int k = 0; k < n; ++k) {
      const int c = links[k];
      net.conn_from_lane.push_back(conn_from[c]);
      net.conn_to_lane.push_back(conn_to[c]);
      net.conn_junction.push_back(static_cast<int>(j));
      net.conn_link.push_back(k);
      net.conn_turn.push_back(turn_of(conns[c].dir));
      // SUMO's link states 's' (stop sign) and 'w' (all-way stop): come to rest at the line first.
      net.conn_stop.push_back(conns[c].state == "s" || conns[c].state == "w");
      net.conn_first_foe.push_back(static_cast<std::int32_t>(net.conn_foe.size()));
      net.conn_first_response.push_back(static_cast<std::int32_t>(net.conn_response.size()));
      if (!request[k]) continue;
      // SUMO writes the bit of link i at position n - 1 - i.
      for (int i = 0; i < n; ++i) {
        const char f = request[k]->foes[n - 1 - i], r = request[k]->response[n - 1 - i];
        if ((f != '0' && f != '1') || (r != '0' && r != '1'))
          throw InputError(at, "junction '" + rj.id + "': response and foes must be strings of 0 and 1");
        if (f == '1') net.conn_foe.push_back(base + i);
      }
      net.conn_first_response.back() = static_cast<std::int32_t>(net.conn_response.size());
      for (int i = 0; i < n; ++i)
        if (request[k]->response[n - 1 - i] == '1') net.conn_response.push_back(base + i);
    }
    // Signal program: the tlLogic named by the links' tl attribute, its states re-indexed to junction links.
    std::int32_t program = -1;
    if (kind == JunctionKind::traffic_light) {
      std::string tl;
      for (int c : links)
        if (!conns[c].tl.empty()) tl = conns[c].tl;
      auto p = programs.find(tl);
      if (tl.empty() || p == programs.end() || p->second.phases.empty()) {
        kind = n == 0 ? JunctionKind::dead_end : JunctionKind::priority;
      } else {
        SignalProgram prog;
        prog.offset_s = p->second.offset;
        for (const auto& ph : p->second.phases) {
          std::string st(n, static_cast<char>(LinkState::off));
          for (int k = 0; k < n; ++k) {
            const auto& rc = conns[links[k]];
            if (rc.tl.empty()) continue;
            if (rc.tl != tl || rc.link_index >= static_cast<int>(ph.state.size()))
              throw InputError(SourceLocation{name, rc.line, ""},
                               "linkIndex " + std::to_string(rc.link_index) + " is outside the states of tlLogic '" + rc.tl + "'");
            st[k] = ph.state[rc.link_index];
          }
          prog.phases.push_back({ph.duration_s, st});
        }
        program = static_cast<std::int32_t>(net.programs.size());
        net.programs.push_back(std::move(prog));
      }
    }
    net.junction_kind.push_back(kind);
    net.junction_program.push_back(program);
    net.junction_first_link.push_back(net.connections());
  }
  if (net.connections() != static_cast<int>(conns.size())) {
    // A connection whose from-lane is not listed among its junction's incoming lanes.
    std::vector<char> used(conns.size(), 0);
    for (const auto& rj : junctions)
      for (const auto& lane_id : rj.inc_lanes) {
        auto l = lane_of.find(lane_id);
        if (l == lane_of.end()) continue;
        auto it = conns_of_lane.find(l->second);
        if (it != conns_of_lane.end())
          for (int c : it->second) used[c] = 1;
      }
    for (size_t c = 0; c < conns.size(); ++c)
      if (!used[c])
        throw InputError(SourceLocation{name, conns[c].line, ""},
                         "connection from lane " + std::to_string(conns[c].from_lane) + " of '" + conns[c].from +
                             "' is not among the incoming lanes of its junction");
  }
  net.conn_first_foe.push_back(static_cast<std::int32_t>(net.conn_foe.size()));
  net.conn_first_response.push_back(static_cast<std::int32_t>(net.conn_response.size()));
  try {
    net.finalise();
  } catch (const std::logic_error& e) {
    throw InputError(SourceLocation{name, 0, ""}, std::string("inconsistent network: ") + e.what());
  }
  return net;
}

Network read_sumo_net(const std::string& path) { return parse_sumo_net(read_file(path), path); }

}  // namespace citytwin::traffic::io
