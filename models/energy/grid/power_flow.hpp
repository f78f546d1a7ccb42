#pragma once
/// AC power flow by Newton-Raphson in polar coordinates (the formulation of MATPOWER's runpf:
/// R. D. Zimmerman, C. E. Murillo-Sanchez, R. J. Thomas, "MATPOWER: Steady-State Operations, Planning and
/// Analysis Tools for Power Systems Research and Education", IEEE Trans. Power Systems 26(1), 2011;
/// W. F. Tinney, C. E. Hart, "Power Flow Solution by Newton's Method", IEEE Trans. PAS-86(11), 1967).
#include <complex>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <Eigen/SparseCore>

#include "models/energy/io/matpower.hpp"

namespace citytwin::energy {

struct PowerFlowOptions {
  double tolerance_pu = 1e-8;   ///< largest |P| or |Q| mismatch accepted, per unit of the case base
  int max_iterations = 20;      ///< Newton iterations per solve
  bool enforce_q_limits = false;  ///< switch PV buses whose generators exceed their Q limits to PQ
};

/// The solution. Buses not connected to an energized reference bus are "islanded": vm = va = 0.
struct PowerFlowResult {
  bool converged = false;
  int iterations = 0;              ///< Newton iterations, summed over Q-limit rounds
  double max_mismatch_pu = 0;      ///< largest |P| or |Q| mismatch at the end
  int worst_bus = -1;              ///< dense index of the bus with the largest mismatch
  std::string message;             ///< why it failed, when it did

  std::vector<double> vm_pu, va_rad;   ///< per bus
  std::vector<char> energized;         ///< per bus
  std::vector<int> islanded_buses;     ///< dense indices of buses with no path to a reference bus

  std::vector<double> pg_w, qg_var;    ///< per generator (0 when out of service)
  std::vector<int> q_limited;          ///< generators held at a Q limit (enforce_q_limits)
  std::vector<double> p_from_w, q_from_var, p_to_w, q_to_var;  ///< per branch, into the branch at each end
  double losses_w = 0;                 ///< series I^2 R losses, sum over branches
  double losses_series_var = 0;        ///< series I^2 X
};

class PowerFlow;
class KluSolver;

/// Reusable solver memory for repeated solves of one PowerFlow (one per thread): the Jacobian's sparsity
/// pattern, its KLU analysis and the last factorisation's pivots, kept while the bus types do not change.
struct PowerFlowWorkspace {
  const PowerFlow* owner = nullptr;
  std::vector<int> ang, mag;
  Eigen::SparseMatrix<double> jac;
  std::vector<int> pos;
  std::shared_ptr<KluSolver> lu;
};

/// The network's admittance matrix and topology, built once from a case (immutable; solve() is const
/// and may be called from several threads at once).
class PowerFlow {
 public:
  explicit PowerFlow(const GridCase& grid);

  /// Solves with the case's loads, or with per-bus loads (W, var) when given (size = buses). A workspace, when
  /// given, keeps the symbolic work between solves (it must not be shared between threads).
  PowerFlowResult solve(const PowerFlowOptions& options, std::span<const double> pd_w = {},
                        std::span<const double> qd_var = {}, PowerFlowWorkspace* workspace = nullptr) const;

  const GridCase& grid() const { return grid_; }
  /// The bus admittance matrix of the energized buses (per unit), indexed by compact() positions.
  const Eigen::SparseMatrix<std::complex<double>>& ybus() const { return ybus_; }

 private:
  const GridCase& grid_;
  std::vector<int> compact_;     // bus -> row in ybus_, or -1 when islanded
  std::vector<int> buses_;       // row in ybus_ -> bus
  std::vector<int> islanded_;
  Eigen::SparseMatrix<std::complex<double>> ybus_;
};

}  // namespace citytwin::energy
