#pragma once
/// The Global Gradient Algorithm (Todini and Pilati 1988) as EPANET 2.2 applies it: one hydraulic
/// solution at fixed demands, tank heads and link settings, with EPANET's status checks on pumps, check
/// valves, control valves and links at full or empty tanks. See models/water/README.md.
#include <Eigen/OrderingMethods>
#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>
#include <vector>

#include "models/water/network.hpp"

namespace citytwin::water {

/// Everything that changes during a run (SI). One per run; the Network is shared read-only.
struct HydraulicState {
  std::vector<double> head_m;            ///< nodes
  std::vector<double> demand_m3s;        ///< junctions: required demand, then outflow after a solve;
                                         ///< tanks and reservoirs: net inflow
  std::vector<double> demand_flow_m3s;   ///< consumer demand delivered (less than required under PDA)
  std::vector<double> emitter_flow_m3s;  ///< emitter outflow
  std::vector<double> leak_coeff;        ///< added leaks: q = c sqrt(p) (m3/s per m^0.5), 0 = none
  std::vector<double> leak_flow_m3s;
  std::vector<double> flow_m3s;          ///< links, positive from start to end node
  std::vector<LinkStatus> status;
  std::vector<double> setting;
  std::vector<double> tank_volume_m3;    ///< per tank (reservoirs unused)
};

/// Outcome of one hydraulic solution.
struct SolveStats {
  int iterations = 0;
  double relative_error = 0;  ///< sum |dq| / sum |q| of the last iteration
  bool converged = false;
  bool ill_conditioned = false;  ///< the matrix could not be factorised (error 110 in EPANET)
  int bad_node = -1;             ///< node where factorisation failed
};

/// The GGA solver of one run: its linear system keeps the symbolic factorisation of the network's
/// pattern, so create one per run (or per thread) and reuse it for every solve.
class HydraulicSolver {
 public:
  explicit HydraulicSolver(const Network& net);

  /// Sizes a state for the network and sets EPANET's initial conditions (EN_initH): tank levels, link
  /// status and setting from the file, initial flows (1 ft/s in pipes, design flow in pumps).
  void init_state(HydraulicState& s) const;

  /// Solves heads and flows for the demands in s.demand_m3s and the heads of fixed-grade nodes.
  SolveStats solve(HydraulicState& s);

  const Network& network() const { return net_; }

 private:
  void headloss_coeffs(const HydraulicState& s);
  void pipe_coeff(const HydraulicState& s, int k);
  void dw_pipe_coeff(const HydraulicState& s, int k);
  void pump_coeff(const HydraulicState& s, int k);
  void valve_coeff(const HydraulicState& s, int k, double minor);
  void gpv_coeff(const HydraulicState& s, int k);
  void pbv_coeff(const HydraulicState& s, int k);
  void tcv_coeff(const HydraulicState& s, int k);
  void matrix_coeffs(const HydraulicState& s);
  void emitter_headloss(double coeff, double qexp, double q, double& hloss, double& hgrad) const;
  void demand_headloss(const HydraulicState& s, int i, double& hloss, double& hgrad) const;
  double new_flows(HydraulicState& s, double& max_flow_change);
  bool valve_status(HydraulicState& s) const;
  bool link_status(HydraulicState& s) const;
  bool pressure_switch(HydraulicState& s) const;
  bool pda_converged(const HydraulicState& s) const;
  double max_head_error(const HydraulicState& s);
  bool bad_valve(HydraulicState& s, int node) const;
  LinkStatus cv_status(LinkStatus st, double dh, double q) const;
  LinkStatus pump_status(const HydraulicState& s, int k, double dh) const;
  LinkStatus prv_status(const HydraulicState& s, int k, LinkStatus st, double hset, double h1, double h2) const;
  LinkStatus psv_status(const HydraulicState& s, int k, LinkStatus st, double hset, double h1, double h2) const;
  LinkStatus fcv_status(const HydraulicState& s, int k, LinkStatus st, double h1, double h2) const;
  void tank_status(HydraulicState& s, int k) const;

  const Network& net_;
  int nj_ = 0;
  double hexp_ = 1.852, qexp_ = 2.0;
  // Linear system: upper triangle of the junction matrix, its rows already in a fill-reducing (AMD)
  // order so that Eigen factorises it in place, without a permuted copy per iteration.
  Eigen::SparseMatrix<double> a_;
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>, Eigen::Upper, Eigen::NaturalOrdering<int>> ldlt_;
  std::vector<int> diag_pos_, link_pos_;
  std::vector<int> row_of_;            ///< matrix row of each junction
  std::vector<int> elimination_node_;  ///< junction of each matrix row, for ill-conditioning reports
  Eigen::VectorXd f_, rhs_, x_;  ///< f_ by junction, rhs_ and x_ by matrix row
  std::vector<double> aii_, p_, y_, xflow_;
  double relax_ = 1.0;
};

}  // namespace citytwin::water
