#include "models/water/report.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <sstream>

namespace citytwin::water {

long run_extended_period(HydraulicRun& run, const std::function<void(const HydraulicRun&)>& at_report) {
  run.init();
  long step = 0;
  do {
    run.run();
    if (run.is_report_time() && at_report) at_report(run);
    step = run.next();
  } while (step > 0);
  return run.solves();
}

double report_head(const HydraulicRun& run, int node) {
  return run.state().head_m[node] / run.network().units.length();
}

double report_pressure(const HydraulicRun& run, int node) {
  const auto& net = run.network();
  return (run.state().head_m[node] - net.elevation_m[node]) / net.units.pressure_head();
}

double report_demand(const HydraulicRun& run, int node) {
  return run.state().demand_m3s[node] / run.network().units.flow();
}

double report_flow(const HydraulicRun& run, int link) {
  if (is_closed(run.state().status[link])) return 0.0;
  return run.state().flow_m3s[link] / run.network().units.flow();
}

double report_velocity(const HydraulicRun& run, int link) {
  const auto& net = run.network();
  if (is_closed(run.state().status[link]) || net.link_type[link] == LinkType::Pump) return 0.0;
  const double d = net.diameter_m[link];
  const double v = std::abs(run.state().flow_m3s[link]) / (std::numbers::pi * d * d / 4.0);
  return v / net.units.length();
}

void write_csv_header(std::ostream& out) { out << "time_s,kind,id,property,value\n"; }

namespace {
void row(std::ostream& out, long t, const char* kind, const std::string& id, const char* prop, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  out << t << ',' << kind << ',' << id << ',' << prop << ',' << buf << '\n';
}
}  // namespace

void write_csv_rows(std::ostream& out, const HydraulicRun& run) {
  const auto& net = run.network();
  const long t = run.time_s();
  for (int n = 0; n < net.num_nodes(); ++n) {
    const std::string& id = net.node_ids[n];
    row(out, t, "node", id, "head", report_head(run, n));
    row(out, t, "node", id, "pressure", report_pressure(run, n));
    row(out, t, "node", id, "demand", report_demand(run, n));
    if (net.node_type[n] == NodeType::Tank)
      row(out, t, "node", id, "level", (run.state().head_m[n] - net.elevation_m[n]) / net.units.length());
  }
  for (int k = 0; k < net.num_links(); ++k) {
    row(out, t, "link", net.link_ids[k], "flow", report_flow(run, k));
    row(out, t, "link", net.link_ids[k], "velocity", report_velocity(run, k));
  }
}

std::string warnings_summary(const HydraulicRun& run) {
  struct Group {
    std::vector<long> times;
    int worst = 0;
    std::string element;
  };
  std::map<int, Group> groups;
  for (const auto& w : run.warnings()) {
    Group& g = groups[static_cast<int>(w.kind)];
    g.times.push_back(w.time_s);
    if (w.count >= g.worst) {
      g.worst = w.count;
      g.element = w.element;
    }
  }
  auto clock = [](long t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    return std::string(buf);
  };
  std::ostringstream out;
  for (const auto& [kind, g] : groups) {
    std::string what;
    switch (static_cast<HydraulicWarning::Kind>(kind)) {
      case HydraulicWarning::Kind::Unbalanced: what = "system unbalanced (did not converge)"; break;
      case HydraulicWarning::Kind::IllConditioned: what = "equations could not be solved (ill-conditioned) at node " + g.element; break;
      case HydraulicWarning::Kind::NegativePressure:
        what = "negative pressures at up to " + std::to_string(g.worst) + " junctions (e.g. " + g.element + ")";
        break;
      case HydraulicWarning::Kind::Disconnected:
        what = "system disconnected: up to " + std::to_string(g.worst) + " junctions with demand cut off (e.g. " +
               g.element + ")";
        break;
      case HydraulicWarning::Kind::PumpHead: what = "pump cannot deliver head (e.g. " + g.element + ")"; break;
      case HydraulicWarning::Kind::Valve: what = "valve cannot deliver its setting (e.g. " + g.element + ")"; break;
    }
    out << "WARNING: " << what << " at " << g.times.size() << " time(s), first " << clock(g.times.front()) << "\n";
  }
  return out.str();
}

}  // namespace citytwin::water
