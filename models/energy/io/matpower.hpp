#pragma once
/// Reader for MATPOWER case files (`.m`, case format version 2): baseMVA, bus, gen and branch tables.
/// Other fields (gencost, areas, bus_name, ...) are read for syntax and ignored.
/// Units are converted at this edge: powers in W and var, angles in radians; impedances stay in per unit
/// of the case's base (MATPOWER's convention), voltages in per unit.
#include <string>
#include <unordered_map>
#include <vector>

namespace citytwin::energy {

/// MATPOWER bus types (caseformat: 1 PQ, 2 PV, 3 reference, 4 isolated).
enum class BusType : int { pq = 1, pv = 2, ref = 3, isolated = 4 };

struct GridBus {
  long id = 0;              ///< the case's external bus number
  BusType type = BusType::pq;
  double pd_w = 0, qd_var = 0;  ///< constant-power load
  double gs_w = 0, bs_var = 0;  ///< shunt: power drawn (gs) and injected (bs) at 1 p.u. voltage
  double vm_pu = 1, va_rad = 0; ///< starting point (and the solution in solved cases)
  double base_kv = 0;
  double vmax_pu = 1.1, vmin_pu = 0.9;
  int line = 0;             ///< line in the source file, for messages
};

struct GridGenerator {
  int bus = -1;             ///< dense bus index
  double pg_w = 0, qg_var = 0;
  double qmax_var = 0, qmin_var = 0;
  double vg_pu = 1;         ///< voltage set point
  bool in_service = true;
  double pmax_w = 0, pmin_w = 0;
  int line = 0;
};

/// A line or a transformer (MATPOWER's branch model: series impedance, total line charging, and an ideal
/// phase-shifting transformer of ratio tap * e^{j shift} at the from end).
struct GridBranch {
  int from = -1, to = -1;   ///< dense bus indices
  double r_pu = 0, x_pu = 0, b_pu = 0;
  double rate_a_va = 0;     ///< long-term rating; 0 = unlimited
  double tap = 0;           ///< off-nominal turns ratio; 0 = a line (ratio 1)
  double shift_rad = 0;
  bool in_service = true;
  int line = 0;
};

/// A power system case: static network data, immutable once read.
struct GridCase {
  std::string file;
  double base_va = 100e6;
  std::vector<GridBus> buses;
  std::vector<GridGenerator> generators;
  std::vector<GridBranch> branches;
  std::unordered_map<long, int> bus_index;  ///< external bus number -> dense index
};

/// Reads a MATPOWER case file. Throws InputError listing every problem as "file:line: reason".
GridCase read_matpower(const std::string& path);
/// The same from text; file is used in messages.
GridCase parse_matpower(const std::string& text, const std::string& file);

}  // namespace citytwin::energy
