#pragma once
/// Results of an extended-period run as EPANET reports them: values in the network's own units, rows of a
/// long CSV (time_s,kind,id,property,value), and a summary of warnings.
#include <functional>
#include <ostream>
#include <string>

#include "models/water/extended_period.hpp"

namespace citytwin::water {

/// Runs the whole extended period from init(); calls at_report at every reporting period.
/// Returns the number of hydraulic solutions.
long run_extended_period(HydraulicRun& run, const std::function<void(const HydraulicRun&)>& at_report);

/// Node and link values in the file's units (EPANET's EN_getnodevalue / EN_getlinkvalue conventions:
/// a closed link reports zero flow and velocity).
double report_head(const HydraulicRun& run, int node);
double report_pressure(const HydraulicRun& run, int node);
double report_demand(const HydraulicRun& run, int node);
double report_flow(const HydraulicRun& run, int link);
double report_velocity(const HydraulicRun& run, int link);

/// Writes the header line of the long CSV.
void write_csv_header(std::ostream& out);
/// Writes the rows of the current period: nodes (head, pressure, demand; level for tanks), then links
/// (flow, velocity), in EPANET's index order.
void write_csv_rows(std::ostream& out, const HydraulicRun& run);

/// A human-readable summary of the run's warnings (negative pressures, unbalanced, disconnected, pumps,
/// valves), one line per kind with the times it occurred. Empty if there were none.
std::string warnings_summary(const HydraulicRun& run);

}  // namespace citytwin::water
