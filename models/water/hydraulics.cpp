#include "models/water/hydraulics.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace citytwin::water {
namespace {

// EPANET 2.2 works in feet and cfs; its tolerances are converted here once so that the iterations are the
// same numbers scaled to SI.
constexpr double kFt = kMetresPerFoot;
constexpr double kCf = kCubicMetresPerCubicFoot;
constexpr double kGrad = kFt / kCf;  // head-loss gradient ft/cfs -> m/(m3/s)
constexpr double kHtol = 0.0005 * kFt;
constexpr double kQtol = 0.0001 * kCf;
constexpr double kQZero = 1.0e-6 * kCf;
constexpr double kTinyQ = 1.0e-6 * kCf;
constexpr double kRQtol = 1.0e-7 * kGrad;  // smallest head-loss gradient (low-flow linearisation)
constexpr double kBigGrad = 1.0e8 * kGrad;  // CBIG as a gradient: closed links
constexpr double kSmallGrad = 1.0e-6 * kGrad;  // CSMALL: open valve without minor loss
constexpr double kBigCond = 1.0e8 / kGrad;  // CBIG as a conductance: fixes a head at a PRV/PSV

// Darcy-Weisbach friction factor constants (EPANET 2.2 hydcoeffs.c): Swamee-Jain above Re = 4000,
// Dunlop's cubic interpolation between 2000 and 4000.
constexpr double kA1 = 1000.0 * std::numbers::pi;
constexpr double kA2 = 500.0 * std::numbers::pi;
constexpr double kA8 = 4.61841319859066668690e+00;  // 5.74 (pi/4)^0.9
constexpr double kA9 = -8.68588963806503655300e-01;  // -2 / ln(10)
constexpr double kAB = 3.28895476345399058690e-03;  // 5.74 / 4000^0.9
constexpr double kAC = -5.14214965799093883760e-03;  // AA * AB, AA = -1.5634601348517065795

double sign(double x) { return x < 0 ? -1.0 : 1.0; }

}  // namespace

HydraulicSolver::HydraulicSolver(const Network& net) : net_(net) {
  nj_ = net.num_junctions;
  hexp_ = net.headloss_exponent();
  qexp_ = 1.0 / net.options.emitter_exponent;
  const int nl = net.num_links();
  // Fill-reducing order of the junctions (AMD on the network's graph), computed once.
  std::vector<Eigen::Triplet<double>> trip;
  trip.reserve(nj_ + 2 * nl);
  for (int i = 0; i < nj_; ++i) trip.emplace_back(i, i, 1.0);
  for (int k = 0; k < nl; ++k) {
    const int a = net.from[k], b = net.to[k];
    if (a < nj_ && b < nj_) trip.emplace_back(a, b, 1.0), trip.emplace_back(b, a, 1.0);
  }
  row_of_.resize(nj_);
  elimination_node_.resize(nj_);
  {
    Eigen::SparseMatrix<double> full(nj_, nj_);
    full.setFromTriplets(trip.begin(), trip.end());
    Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int> pinv;
    Eigen::AMDOrdering<int> amd;
    if (nj_ > 0) amd(full, pinv);
    for (int k = 0; k < nj_; ++k) {
      const int node = nj_ > 0 && pinv.size() == nj_ ? pinv.indices()(k) : k;
      row_of_[node] = k;
      elimination_node_[k] = node;
    }
  }
  trip.clear();
  for (int i = 0; i < nj_; ++i) trip.emplace_back(row_of_[i], row_of_[i], 0.0);
  for (int k = 0; k < nl; ++k) {
    const int a = net.from[k], b = net.to[k];
    if (a < nj_ && b < nj_) {
      const int ra = row_of_[a], rb = row_of_[b];
      trip.emplace_back(std::min(ra, rb), std::max(ra, rb), 0.0);
    }
  }
  a_.resize(nj_, nj_);
  a_.setFromTriplets(trip.begin(), trip.end());
  a_.makeCompressed();
  auto position = [&](int row, int col) {
    for (int p = a_.outerIndexPtr()[col]; p < a_.outerIndexPtr()[col + 1]; ++p)
      if (a_.innerIndexPtr()[p] == row) return p;
    return -1;
  };
  diag_pos_.resize(nj_);
  for (int i = 0; i < nj_; ++i) diag_pos_[i] = position(row_of_[i], row_of_[i]);
  link_pos_.assign(nl, -1);
  for (int k = 0; k < nl; ++k) {
    const int a = net.from[k], b = net.to[k];
    if (a < nj_ && b < nj_) {
      const int ra = row_of_[a], rb = row_of_[b];
      link_pos_[k] = position(std::min(ra, rb), std::max(ra, rb));
    }
  }
  if (nj_ > 0) ldlt_.analyzePattern(a_);
  f_.resize(nj_);
  rhs_.resize(nj_);
  x_.resize(nj_);
  aii_.resize(nj_);
  p_.resize(nl);
  y_.resize(nl);
  xflow_.resize(net.num_nodes());
}

void HydraulicSolver::init_state(HydraulicState& s) const {
  const int nn = net_.num_nodes(), nl = net_.num_links(), nt = net_.num_tanks();
  s.head_m.assign(nn, 0.0);
  for (int i = 0; i < nj_; ++i) s.head_m[i] = net_.elevation_m[i];
  s.demand_m3s.assign(nn, 0.0);
  s.demand_flow_m3s.assign(nn, 0.0);
  s.emitter_flow_m3s.assign(nn, 0.0);
  s.leak_coeff.assign(nn, 0.0);
  s.leak_flow_m3s.assign(nn, 0.0);
  s.tank_volume_m3.assign(nt, 0.0);
  for (int t = 0; t < nt; ++t) {
    const Tank& tank = net_.tanks[t];
    s.tank_volume_m3[t] = tank.init_volume_m3;
    s.head_m[tank.node] = tank.init_head_m;
  }
  for (int i = 0; i < nj_; ++i)
    if (net_.emitter_coeff[i] > 0) s.emitter_flow_m3s[i] = kCf;  // EPANET starts emitters at 1 cfs
  s.flow_m3s.assign(nl, 0.0);
  s.status.resize(nl);
  s.setting.resize(nl);
  for (int k = 0; k < nl; ++k) {
    const LinkType t = net_.link_type[k];
    s.status[k] = net_.init_status[k];
    s.setting[k] = net_.init_setting[k];
    // Control valves with a setting start active.
    if ((t == LinkType::PRV || t == LinkType::PSV || t == LinkType::FCV) && s.setting[k] != kMissing)
      s.status[k] = LinkStatus::Active;
    if (is_closed(s.status[k])) {
      s.flow_m3s[k] = kQZero;
    } else if (t == LinkType::Pump) {
      s.flow_m3s[k] = s.setting[k] * net_.pumps[net_.link_pump[k]].q0_m3s;
    } else {
      // EPANET: a velocity of 1 ft/s.
      const double d = net_.diameter_m[k];
      s.flow_m3s[k] = std::numbers::pi * d * d / 4.0 * kFt;
    }
  }
}

// ---- head-loss coefficients: P = 1 / (dh/dq), Y = h(q) / (dh/dq) ----------------------------------------

void HydraulicSolver::headloss_coeffs(const HydraulicState& s) {
  const int nl = net_.num_links();
  for (int k = 0; k < nl; ++k) {
    switch (net_.link_type[k]) {
      case LinkType::CVPipe:
      case LinkType::Pipe: pipe_coeff(s, k); break;
      case LinkType::Pump: pump_coeff(s, k); break;
      case LinkType::PBV: pbv_coeff(s, k); break;
      case LinkType::TCV: tcv_coeff(s, k); break;
      case LinkType::GPV: gpv_coeff(s, k); break;
      case LinkType::FCV:
      case LinkType::PRV:
      case LinkType::PSV:
        if (s.setting[k] == kMissing) valve_coeff(s, k, net_.minor_coeff[k]);
        else p_[k] = 0.0;
        break;
    }
  }
}

void HydraulicSolver::pipe_coeff(const HydraulicState& s, int k) {
  const double flow = s.flow_m3s[k];
  if (is_closed(s.status[k])) {
    p_[k] = 1.0 / kBigGrad;
    y_[k] = flow;
    return;
  }
  if (net_.options.headloss == HeadlossFormula::DarcyWeisbach) {
    dw_pipe_coeff(s, k);
    return;
  }
  const double q = std::abs(flow);
  const double ml = net_.minor_coeff[k];
  const double r = net_.resistance[k];
  // Friction: h = r q^n; below the flow where the gradient falls under RQtol, a straight line
  // (EPANET 2.2's low-flow linearisation).
  double hgrad = hexp_ * r * std::pow(q, hexp_ - 1.0);
  double hloss = 0;
  if (hgrad < kRQtol) {
    hgrad = kRQtol;
    hloss = hgrad * q;
  } else {
    hloss = hgrad * q / hexp_;
  }
  if (ml > 0.0) {
    hloss += ml * q * q;
    hgrad += 2.0 * ml * q;
  }
  hloss *= sign(flow);
  p_[k] = 1.0 / hgrad;
  y_[k] = hloss / hgrad;
}

void HydraulicSolver::dw_pipe_coeff(const HydraulicState& s, int k) {
  const double flow = s.flow_m3s[k];
  const double q = std::abs(flow);
  const double r = net_.resistance[k];
  const double ml = net_.minor_coeff[k];
  const double d = net_.diameter_m[k];
  const double e = net_.roughness[k] / d;            // relative roughness
  const double visc_d = net_.options.viscosity_m2s * d;  // q / (nu d) = Re pi / 4
  double hloss = 0, hgrad = 0;
  if (q <= kA2 * visc_d) {
    // Laminar (Re <= 2000), Hagen-Poiseuille: f = 64 / Re.
    const double rl = 16.0 * std::numbers::pi * visc_d * r;
    hloss = flow * (rl + ml * q);
    hgrad = rl + 2.0 * ml * q;
  } else {
    const double w = q / visc_d;
    double f = 0, dfdq = 0;
    if (w >= kA1) {
      const double y1 = kA8 / std::pow(w, 0.9);
      const double y2 = e / 3.7 + y1;
      const double y3 = kA9 * std::log(y2);
      f = 1.0 / (y3 * y3);
      dfdq = 1.8 * f * y1 * kA9 / y2 / y3 / q;
    } else {
      const double y2 = e / 3.7 + kAB;
      const double y3 = kA9 * std::log(y2);
      const double fa = 1.0 / (y3 * y3);
      const double fb = (2.0 + kAC / (y2 * y3)) * fa;
      const double rr = w / kA2;
      const double x1 = 7.0 * fa - fb;
      const double x2 = 0.128 - 17.0 * fa + 2.5 * fb;
      const double x3 = -0.128 + 13.0 * fa - (fb + fb);
      const double x4 = 0.032 - 3.0 * fa + 0.5 * fb;
      f = x1 + rr * (x2 + rr * (x3 + rr * x4));
      dfdq = (x2 + rr * (2.0 * x3 + rr * 3.0 * x4)) / visc_d / kA2;
    }
    const double r1 = f * r + ml;
    hloss = r1 * q * flow;
    hgrad = 2.0 * r1 * q + dfdq * r * q * q;
  }
  p_[k] = 1.0 / hgrad;
  y_[k] = hloss / hgrad;
}

void HydraulicSolver::pump_coeff(const HydraulicState& s, int k) {
  const double setting = s.setting[k];
  const double flow = s.flow_m3s[k];
  if (is_closed(s.status[k]) || setting == 0.0) {
    p_[k] = 1.0 / kBigGrad;
    y_[k] = flow;
    return;
  }
  const double q = std::max(std::abs(flow), kTinyQ);
  const Pump& pump = net_.pumps[net_.link_pump[k]];
  double h0 = 0, r = 0, n = 0;
  if (pump.type == PumpCurveType::Custom) {
    // Straight segment of the curve that holds the speed-adjusted flow; affinity laws for the speed.
    const auto& xq = pump.curve_q_m3s;
    const auto& yh = pump.curve_h_m;
    const double qs = q / setting;
    size_t k2 = 0;
    while (k2 < xq.size() && xq[k2] < qs) ++k2;
    if (k2 == 0) k2 = 1;
    else if (k2 == xq.size()) --k2;
    const size_t k1 = k2 - 1;
    const double slope = (yh[k2] - yh[k1]) / (xq[k2] - xq[k1]);
    const double icpt = yh[k1] - slope * xq[k1];
    h0 = -icpt * setting * setting;
    r = -slope * setting;
    n = 1.0;
  } else {
    h0 = setting * setting * pump.h0;
    n = pump.n;
    r = pump.r * std::pow(setting, 2.0 - n);
  }
  double hgrad = 0, hloss = 0;
  if (pump.type == PumpCurveType::ConstantPower) {
    // h = r / q (r < 0: head gain = power / (rho g q)).
    hgrad = -r / q / q;
    if (hgrad > kBigGrad) {
      hgrad = kBigGrad;
      hloss = -hgrad * flow;
    } else if (hgrad < kRQtol) {
      hgrad = kRQtol;
      hloss = -hgrad * flow;
    } else {
      hloss = r / flow;
    }
  } else if (n != 1.0) {
    hgrad = n * r * std::pow(q, n - 1.0);
    if (hgrad < kRQtol) {
      hgrad = kRQtol;
      hloss = h0 + hgrad * flow;
    } else {
      hloss = h0 + hgrad * flow / n;
    }
  } else {
    hgrad = r;
    hloss = h0 + hgrad * flow;
  }
  p_[k] = 1.0 / hgrad;
  y_[k] = hloss / hgrad;
}

void HydraulicSolver::valve_coeff(const HydraulicState& s, int k, double minor) {
  const double flow = s.flow_m3s[k];
  if (is_closed(s.status[k])) {
    p_[k] = 1.0 / kBigGrad;
    y_[k] = flow;
    return;
  }
  if (minor > 0.0) {
    double hgrad = 2.0 * minor * std::abs(flow);
    double hloss = 0;
    if (hgrad < kRQtol) {
      hgrad = kRQtol;
      hloss = flow * hgrad;
    } else {
      hloss = flow * hgrad / 2.0;
    }
    p_[k] = 1.0 / hgrad;
    y_[k] = hloss / hgrad;
  } else {
    // No minor loss: a very low resistance straight line.
    p_[k] = 1.0 / kSmallGrad;
    y_[k] = flow;
  }
}

void HydraulicSolver::gpv_coeff(const HydraulicState& s, int k) {
  if (s.status[k] == LinkStatus::Closed) {
    valve_coeff(s, k, net_.minor_coeff[k]);
    return;
  }
  // Head loss from the valve's curve (flow, head loss in user units), linear between points.
  const Curve& c = net_.curves[static_cast<int>(std::lround(s.setting[k]))];
  const double fq = net_.units.flow(), fh = net_.units.length();
  const double flow = s.flow_m3s[k];
  const double q = std::max(std::abs(flow), kTinyQ);
  const double qu = q / fq;
  size_t k2 = 0;
  while (k2 < c.x.size() && c.x[k2] < qu) ++k2;
  if (k2 == 0) k2 = 1;
  else if (k2 == c.x.size()) --k2;
  double r = 0, h0 = 0;
  if (c.x.size() >= 2) {
    const size_t k1 = k2 - 1;
    r = (c.y[k2] - c.y[k1]) / (c.x[k2] - c.x[k1]) * fh / fq;
    h0 = (c.y[k1] / 1.0) * fh - r * c.x[k1] * fq;
  } else if (c.x.size() == 1) {
    r = c.y[0] * fh / (c.x[0] * fq);
  }
  r = std::max(r, kRQtol);
  p_[k] = 1.0 / r;
  y_[k] = (h0 / r + q) * sign(flow);
}

void HydraulicSolver::pbv_coeff(const HydraulicState& s, int k) {
  const double setting = s.setting[k];
  const double ml = net_.minor_coeff[k];
  if (setting == kMissing || setting == 0.0 || ml * s.flow_m3s[k] * s.flow_m3s[k] > setting) {
    valve_coeff(s, k, ml);
  } else {
    // Head loss forced to the setting.
    p_[k] = kBigCond;
    y_[k] = setting * kBigCond;
  }
}

void HydraulicSolver::tcv_coeff(const HydraulicState& s, int k) {
  double minor = net_.minor_coeff[k];
  if (s.setting[k] != kMissing) {
    // The setting is the valve's loss coefficient.
    const double d = net_.diameter_m[k] / kFt;
    minor = 0.02517 * s.setting[k] / (d * d * d * d) * kFt / (kCf * kCf);
  }
  valve_coeff(s, k, minor);
}

// ---- matrix assembly --------------------------------------------------------------------------------

void HydraulicSolver::emitter_headloss(double coeff, double qexp, double q, double& hloss, double& hgrad) const {
  const double ke = std::max(coeff, 1.0e-6 * kFt / std::pow(kCf, qexp));
  hgrad = qexp * ke * std::pow(std::abs(q), qexp - 1.0);
  if (hgrad < kRQtol) {
    hgrad = kRQtol;
    hloss = hgrad * q;
  } else {
    hloss = hgrad * q / qexp;
  }
}

void HydraulicSolver::demand_headloss(const HydraulicState& s, int i, double& hloss, double& hgrad) const {
  // Wagner et al. (1988) pressure-driven demand written as a head loss, EPANET 2.2 demandheadloss():
  // h = dp (d / D)^(1/exp) between the minimum and required pressures, barriers outside.
  const double dp = net_.options.required_pressure_m - net_.options.min_pressure_m;
  const double n = 1.0 / net_.options.pressure_exponent;
  const double d = s.demand_flow_m3s[i];
  const double dfull = s.demand_m3s[i];
  const double r = d / dfull;
  if (r <= 0) {
    hgrad = kBigGrad;
    hloss = d * hgrad;
  } else if (r < 1.0) {
    hgrad = n * dp * std::pow(r, n - 1.0) / dfull;
    if (hgrad < kRQtol) {
      hgrad = kRQtol;
      hloss = hgrad * d;
    } else {
      hloss = hgrad * d / n;
    }
  } else {
    hgrad = kBigGrad;
    hloss = dp + kBigGrad * (d - dfull);
  }
}

void HydraulicSolver::matrix_coeffs(const HydraulicState& s) {
  std::fill(aii_.begin(), aii_.end(), 0.0);
  std::fill(xflow_.begin(), xflow_.end(), 0.0);
  f_.setZero();
  double* av = a_.valuePtr();
  std::fill(av, av + a_.nonZeros(), 0.0);
  const int nl = net_.num_links();
  const auto& h = s.head_m;
  // Links: flow out of a node negative, into it positive.
  for (int k = 0; k < nl; ++k) {
    if (p_[k] == 0.0) continue;
    const int n1 = net_.from[k], n2 = net_.to[k];
    xflow_[n1] -= s.flow_m3s[k];
    xflow_[n2] += s.flow_m3s[k];
    if (link_pos_[k] >= 0) av[link_pos_[k]] -= p_[k];
    if (n1 < nj_) {
      aii_[n1] += p_[k];
      f_[n1] += y_[k];
    } else if (n2 < nj_) {
      f_[n2] += p_[k] * h[n1];
    }
    if (n2 < nj_) {
      aii_[n2] += p_[k];
      f_[n2] -= y_[k];
    } else if (n1 < nj_) {
      f_[n1] += p_[k] * h[n2];
    }
  }
  // Emitters and leaks: flow to a virtual reservoir at the node's elevation.
  for (int i = 0; i < nj_; ++i) {
    const double el = net_.elevation_m[i];
    if (net_.emitter_coeff[i] > 0.0) {
      double hloss = 0, hgrad = 0;
      emitter_headloss(net_.emitter_coeff[i], qexp_, s.emitter_flow_m3s[i], hloss, hgrad);
      aii_[i] += 1.0 / hgrad;
      f_[i] += (hloss + el) / hgrad;
      xflow_[i] -= s.emitter_flow_m3s[i];
    }
    if (s.leak_coeff[i] > 0.0) {
      double hloss = 0, hgrad = 0;
      emitter_headloss(1.0 / (s.leak_coeff[i] * s.leak_coeff[i]), 2.0, s.leak_flow_m3s[i], hloss, hgrad);
      aii_[i] += 1.0 / hgrad;
      f_[i] += (hloss + el) / hgrad;
      xflow_[i] -= s.leak_flow_m3s[i];
    }
  }
  if (net_.options.demand_model == DemandModel::PDA) {
    for (int i = 0; i < nj_; ++i) {
      if (s.demand_m3s[i] <= 0.0) continue;
      double hloss = 0, hgrad = 0;
      demand_headloss(s, i, hloss, hgrad);
      aii_[i] += 1.0 / hgrad;
      f_[i] += (hloss + net_.elevation_m[i] + net_.options.min_pressure_m) / hgrad;
    }
  }
  for (int i = 0; i < nj_; ++i) {
    xflow_[i] -= s.demand_flow_m3s[i];
    f_[i] += xflow_[i];
  }
  // Control valves with a setting (EPANET 2.2 valvecoeffs()).
  for (int k : net_.valves) {
    if (s.setting[k] == kMissing) continue;
    const LinkType t = net_.link_type[k];
    if (t != LinkType::PRV && t != LinkType::PSV && t != LinkType::FCV) continue;
    const int n1 = net_.from[k], n2 = net_.to[k];
    if (t == LinkType::PRV && s.status[k] == LinkStatus::Active) {
      // Fix the downstream head at the setting; the valve carries the downstream node's deficit.
      const double hset = net_.elevation_m[n2] + s.setting[k];
      p_[k] = 0.0;
      y_[k] = s.flow_m3s[k] + xflow_[n2];
      f_[n2] += hset * kBigCond;
      aii_[n2] += kBigCond;
      if (xflow_[n2] < 0.0) f_[n1] += xflow_[n2];
      continue;
    }
    if (t == LinkType::PSV && s.status[k] == LinkStatus::Active) {
      const double hset = net_.elevation_m[n1] + s.setting[k];
      p_[k] = 0.0;
      y_[k] = s.flow_m3s[k] - xflow_[n1];
      f_[n1] += hset * kBigCond;
      aii_[n1] += kBigCond;
      if (xflow_[n1] > 0.0) f_[n2] += xflow_[n1];
      continue;
    }
    if (t == LinkType::FCV && s.status[k] == LinkStatus::Active) {
      // Break the network at the valve: its setting leaves n1 and enters n2.
      const double q = s.setting[k];
      xflow_[n1] -= q;
      xflow_[n2] += q;
      y_[k] = s.flow_m3s[k] - q;
      f_[n1] -= q;
      f_[n2] += q;
      p_[k] = 1.0 / kBigGrad;
    } else {
      valve_coeff(s, k, net_.minor_coeff[k]);
      f_[n1] += y_[k] - s.flow_m3s[k];
      f_[n2] -= y_[k] - s.flow_m3s[k];
    }
    av[link_pos_[k]] -= p_[k];
    aii_[n1] += p_[k];
    aii_[n2] += p_[k];
  }
  for (int i = 0; i < nj_; ++i) av[diag_pos_[i]] = aii_[i];
}

// ---- flow update --------------------------------------------------------------------------------------

double HydraulicSolver::new_flows(HydraulicState& s, double& max_flow_change) {
  const int nn = net_.num_nodes(), nl = net_.num_links();
  for (int n = nj_; n < nn; ++n) s.demand_m3s[n] = 0.0;
  double qsum = 0, dqsum = 0;
  max_flow_change = 0;
  for (int k = 0; k < nl; ++k) {
    const int n1 = net_.from[k], n2 = net_.to[k];
    const double dh = s.head_m[n1] - s.head_m[n2];
    double dq = (y_[k] - p_[k] * dh) * relax_;
    if (net_.link_type[k] == LinkType::Pump) {
      const Pump& pump = net_.pumps[net_.link_pump[k]];
      if (pump.type == PumpCurveType::ConstantPower && dq > s.flow_m3s[k]) dq = s.flow_m3s[k] / 2.0;
    }
    s.flow_m3s[k] -= dq;
    qsum += std::abs(s.flow_m3s[k]);
    dqsum += std::abs(dq);
    max_flow_change = std::max(max_flow_change, std::abs(dq));
    if (!is_closed(s.status[k])) {
      if (n1 >= nj_) s.demand_m3s[n1] -= s.flow_m3s[k];
      if (n2 >= nj_) s.demand_m3s[n2] += s.flow_m3s[k];
    }
  }
  for (int i = 0; i < nj_; ++i) {
    const double el = net_.elevation_m[i];
    if (net_.emitter_coeff[i] > 0.0) {
      double hloss = 0, hgrad = 0;
      emitter_headloss(net_.emitter_coeff[i], qexp_, s.emitter_flow_m3s[i], hloss, hgrad);
      const double dq = (hloss - (s.head_m[i] - el)) / hgrad;
      s.emitter_flow_m3s[i] -= dq;
      qsum += std::abs(s.emitter_flow_m3s[i]);
      dqsum += std::abs(dq);
      max_flow_change = std::max(max_flow_change, std::abs(dq));
    }
    if (s.leak_coeff[i] > 0.0) {
      double hloss = 0, hgrad = 0;
      emitter_headloss(1.0 / (s.leak_coeff[i] * s.leak_coeff[i]), 2.0, s.leak_flow_m3s[i], hloss, hgrad);
      const double dq = (hloss - (s.head_m[i] - el)) / hgrad;
      s.leak_flow_m3s[i] -= dq;
      qsum += std::abs(s.leak_flow_m3s[i]);
      dqsum += std::abs(dq);
      max_flow_change = std::max(max_flow_change, std::abs(dq));
    }
  }
  if (net_.options.demand_model == DemandModel::PDA) {
    for (int i = 0; i < nj_; ++i) {
      if (s.demand_m3s[i] <= 0.0) continue;
      double hloss = 0, hgrad = 0;
      demand_headloss(s, i, hloss, hgrad);
      const double dh = s.head_m[i] - net_.elevation_m[i] - net_.options.min_pressure_m;
      double dq = (hloss - dh) / hgrad * relax_;
      // Limit a change to 40% of the full demand (EPANET 2.2 newdemandflows()).
      if (std::abs(dq) > 0.4 * s.demand_m3s[i]) dq = 0.4 * sign(dq) * s.demand_m3s[i];
      s.demand_flow_m3s[i] -= dq;
      qsum += std::abs(s.demand_flow_m3s[i]);
      dqsum += std::abs(dq);
      max_flow_change = std::max(max_flow_change, std::abs(dq));
    }
  }
  // EPANET compares the flow sum (in cfs) with ACCURACY before dividing.
  const double q_us = qsum / kCf, dq_us = dqsum / kCf;
  return q_us > net_.options.accuracy ? dq_us / q_us : dq_us;
}

// ---- status checks (EPANET 2.2 hydstatus.c) ------------------------------------------------------------

LinkStatus HydraulicSolver::cv_status(LinkStatus st, double dh, double q) const {
  if (std::abs(dh) > kHtol) {
    if (dh < -kHtol) return LinkStatus::Closed;
    if (q < -kQtol) return LinkStatus::Closed;
    return LinkStatus::Open;
  }
  if (q < -kQtol) return LinkStatus::Closed;
  return st;
}

LinkStatus HydraulicSolver::pump_status(const HydraulicState& s, int k, double dh) const {
  const Pump& pump = net_.pumps[net_.link_pump[k]];
  const double hmax = pump.type == PumpCurveType::ConstantPower ? 1e10 : s.setting[k] * s.setting[k] * pump.hmax_m;
  if (dh > hmax + kHtol) return LinkStatus::XHead;
  return LinkStatus::Open;
}

LinkStatus HydraulicSolver::prv_status(const HydraulicState& s, int k, LinkStatus st, double hset, double h1,
                                       double h2) const {
  const double q = s.flow_m3s[k];
  const double hml = net_.minor_coeff[k] * q * q;
  switch (st) {
    case LinkStatus::Active:
      if (q < -kQtol) return LinkStatus::Closed;
      if (h1 - hml < hset - kHtol) return LinkStatus::Open;
      return LinkStatus::Active;
    case LinkStatus::Open:
      if (q < -kQtol) return LinkStatus::Closed;
      if (h2 >= hset + kHtol) return LinkStatus::Active;
      return LinkStatus::Open;
    case LinkStatus::Closed:
      if (h1 >= hset + kHtol && h2 < hset - kHtol) return LinkStatus::Active;
      if (h1 < hset - kHtol && h1 > h2 + kHtol) return LinkStatus::Open;
      return LinkStatus::Closed;
    case LinkStatus::XPressure:
      if (q < -kQtol) return LinkStatus::Closed;
      return st;
    default: return st;
  }
}

LinkStatus HydraulicSolver::psv_status(const HydraulicState& s, int k, LinkStatus st, double hset, double h1,
                                       double h2) const {
  const double q = s.flow_m3s[k];
  const double hml = net_.minor_coeff[k] * q * q;
  switch (st) {
    case LinkStatus::Active:
      if (q < -kQtol) return LinkStatus::Closed;
      if (h2 + hml > hset + kHtol) return LinkStatus::Open;
      return LinkStatus::Active;
    case LinkStatus::Open:
      if (q < -kQtol) return LinkStatus::Closed;
      if (h1 < hset - kHtol) return LinkStatus::Active;
      return LinkStatus::Open;
    case LinkStatus::Closed:
      if (h2 > hset + kHtol && h1 > h2 + kHtol) return LinkStatus::Open;
      if (h1 >= hset + kHtol && h1 > h2 + kHtol) return LinkStatus::Active;
      return LinkStatus::Closed;
    case LinkStatus::XPressure:
      if (q < -kQtol) return LinkStatus::Closed;
      return st;
    default: return st;
  }
}

LinkStatus HydraulicSolver::fcv_status(const HydraulicState& s, int k, LinkStatus st, double h1, double h2) const {
  if (h1 - h2 < -kHtol) return LinkStatus::XFcv;
  if (s.flow_m3s[k] < -kQtol) return LinkStatus::XFcv;
  if (st == LinkStatus::XFcv && s.flow_m3s[k] >= s.setting[k]) return LinkStatus::Active;
  return st;
}

bool HydraulicSolver::valve_status(HydraulicState& s) const {
  bool change = false;
  for (int k : net_.valves) {
    if (s.setting[k] == kMissing) continue;
    const LinkType t = net_.link_type[k];
    const int n1 = net_.from[k], n2 = net_.to[k];
    const LinkStatus before = s.status[k];
    if (t == LinkType::PRV) {
      const double hset = net_.elevation_m[n2] + s.setting[k];
      s.status[k] = prv_status(s, k, before, hset, s.head_m[n1], s.head_m[n2]);
    } else if (t == LinkType::PSV) {
      const double hset = net_.elevation_m[n1] + s.setting[k];
      s.status[k] = psv_status(s, k, before, hset, s.head_m[n1], s.head_m[n2]);
    } else {
      continue;
    }
    if (before != s.status[k]) change = true;
  }
  return change;
}

void HydraulicSolver::tank_status(HydraulicState& s, int k) const {
  int n1 = net_.from[k], n2 = net_.to[k];
  double q = s.flow_m3s[k];
  if (n1 < nj_) {
    if (n2 < nj_) return;
    std::swap(n1, n2);
    q = -q;
  }
  const Tank& tank = net_.tank_of(n1);
  if (tank.area_m2 == 0.0) return;  // reservoir
  const double h = s.head_m[n1] - s.head_m[n2];
  const LinkType type = net_.link_type[k];
  // Full tank: no flow into it.
  if (s.head_m[n1] >= tank.max_head_m - kHtol && !tank.can_overflow) {
    if (type == LinkType::Pump) {
      if (net_.to[k] == n1) s.status[k] = LinkStatus::TempClosed;
    } else if (cv_status(LinkStatus::Open, h, q) == LinkStatus::Closed) {
      s.status[k] = LinkStatus::TempClosed;
    }
  }
  // Empty tank: no flow out of it.
  if (s.head_m[n1] <= tank.min_head_m + kHtol) {
    if (type == LinkType::Pump) {
      if (net_.from[k] == n1) s.status[k] = LinkStatus::TempClosed;
    } else if (cv_status(LinkStatus::Closed, h, q) == LinkStatus::Open) {
      s.status[k] = LinkStatus::TempClosed;
    }
  }
}

bool HydraulicSolver::link_status(HydraulicState& s) const {
  bool change = false;
  const int nl = net_.num_links();
  for (int k = 0; k < nl; ++k) {
    const int n1 = net_.from[k], n2 = net_.to[k];
    const double dh = s.head_m[n1] - s.head_m[n2];
    const LinkStatus before = s.status[k];
    if (before == LinkStatus::XHead || before == LinkStatus::TempClosed) s.status[k] = LinkStatus::Open;
    const LinkType t = net_.link_type[k];
    if (t == LinkType::CVPipe) s.status[k] = cv_status(s.status[k], dh, s.flow_m3s[k]);
    if (t == LinkType::Pump && s.status[k] >= LinkStatus::Open && s.setting[k] > 0.0)
      s.status[k] = pump_status(s, k, -dh);
    if (t == LinkType::FCV && s.setting[k] != kMissing)
      s.status[k] = fcv_status(s, k, before, s.head_m[n1], s.head_m[n2]);
    if (n1 >= nj_ || n2 >= nj_) tank_status(s, k);
    if (before != s.status[k]) change = true;
  }
  return change;
}

bool HydraulicSolver::pressure_switch(HydraulicState& s) const {
  bool any = false;
  for (const Control& c : net_.controls) {
    if (c.link < 0 || c.node < 0 || c.node >= nj_) continue;
    bool reset = false;
    if (c.type == ControlType::LowLevel && s.head_m[c.node] <= c.grade_m + kHtol) reset = true;
    if (c.type == ControlType::HiLevel && s.head_m[c.node] >= c.grade_m - kHtol) reset = true;
    if (!reset) continue;
    const int k = c.link;
    const LinkType t = net_.link_type[k];
    bool change = false;
    if (t == LinkType::Pipe && s.status[k] != c.status) change = true;
    if (t == LinkType::Pump && s.setting[k] != c.setting) change = true;
    if (is_valve(t)) {
      if (s.setting[k] != c.setting) change = true;
      else if (s.setting[k] == kMissing && s.status[k] != c.status) change = true;
    }
    if (change) {
      s.status[k] = c.status;
      if (t != LinkType::Pipe) s.setting[k] = c.setting;
      any = true;
    }
  }
  return any;
}

bool HydraulicSolver::pda_converged(const HydraulicState& s) const {
  for (int i = 0; i < nj_; ++i) {
    if (s.demand_m3s[i] <= 0.0) continue;
    if (s.demand_flow_m3s[i] < -kQtol) return false;
    if (s.demand_flow_m3s[i] > kQtol &&
        s.head_m[i] < net_.elevation_m[i] + net_.options.min_pressure_m - kHtol)
      return false;
  }
  return true;
}

double HydraulicSolver::max_head_error(const HydraulicState& s) {
  headloss_coeffs(s);
  double worst = 0;
  for (int k = 0; k < net_.num_links(); ++k) {
    if (is_closed(s.status[k]) || p_[k] == 0.0) continue;
    const double dh = s.head_m[net_.from[k]] - s.head_m[net_.to[k]];
    worst = std::max(worst, std::abs(dh - y_[k] / p_[k]));
  }
  return worst;
}

bool HydraulicSolver::bad_valve(HydraulicState& s, int node) const {
  for (int k : net_.valves) {
    if (net_.from[k] != node && net_.to[k] != node) continue;
    const LinkType t = net_.link_type[k];
    if ((t == LinkType::PRV || t == LinkType::PSV || t == LinkType::FCV) && s.status[k] == LinkStatus::Active) {
      s.status[k] = t == LinkType::FCV ? LinkStatus::XFcv : LinkStatus::XPressure;
      return true;
    }
    return false;
  }
  return false;
}

// ---- the iteration (EPANET 2.2 hydsolve()) ---------------------------------------------------------------

SolveStats HydraulicSolver::solve(HydraulicState& s) {
  SolveStats st;
  const auto& o = net_.options;
  const int max_trials = o.trials + std::max(0, o.extra_trials);
  int next_check = o.check_freq;
  relax_ = 1.0;
  // Leaks added or removed since the last solution (interventions): start like EPANET's emitters (1 cfs).
  for (int i = 0; i < nj_; ++i) {
    if (s.leak_coeff[i] <= 0.0) s.leak_flow_m3s[i] = 0.0;
    else if (s.leak_flow_m3s[i] == 0.0) s.leak_flow_m3s[i] = kCf;
  }
  double relerr = 0;
  int iter = 1;
  while (iter <= max_trials) {
    headloss_coeffs(s);
    matrix_coeffs(s);
    if (nj_ > 0) {
      ldlt_.factorize(a_);
      int bad = -1;
      if (ldlt_.info() != Eigen::Success) bad = 0;
      const auto& dvec = ldlt_.vectorD();
      for (int i = 0; i < nj_ && bad < 0; ++i)
        if (!(dvec[i] > 0.0)) bad = i;
      if (ldlt_.info() != Eigen::Success || bad >= 0) {
        const int node = elimination_node_[std::max(bad, 0)];
        if (bad_valve(s, node)) continue;
        st.ill_conditioned = true;
        st.bad_node = node;
        break;
      }
      for (int i = 0; i < nj_; ++i) rhs_[row_of_[i]] = f_[i];
      x_ = ldlt_.solve(rhs_);
      for (int i = 0; i < nj_; ++i) s.head_m[i] = x_[row_of_[i]];
    }
    double max_dq = 0;
    relerr = new_flows(s, max_dq);
    relax_ = 1.0;
    bool valve_change = false;
    if (o.damp_limit > 0.0) {
      if (relerr <= o.damp_limit) {
        relax_ = 0.6;
        valve_change = valve_status(s);
      }
    } else {
      valve_change = valve_status(s);
    }
    bool converged = relerr <= o.accuracy;
    if (converged && o.flow_change_m3s > 0 && max_dq > o.flow_change_m3s) converged = false;
    if (converged && o.head_error_m > 0 && max_head_error(s) > o.head_error_m) converged = false;
    if (converged && o.demand_model == DemandModel::PDA) converged = pda_converged(s);
    if (converged) {
      if (iter > o.trials) break;
      bool change = valve_change;
      if (link_status(s)) change = true;
      if (pressure_switch(s)) change = true;
      if (!change) break;
      next_check = iter + o.check_freq;
    } else if (iter <= o.max_check && iter == next_check) {
      link_status(s);
      next_check += o.check_freq;
    }
    ++iter;
  }
  st.iterations = std::min(iter, max_trials);
  st.relative_error = relerr;
  st.converged = !st.ill_conditioned && relerr <= o.accuracy && iter <= max_trials;
  // Junction outflow = delivered demand + emitter (+ leak) flow.
  for (int i = 0; i < nj_; ++i) s.demand_m3s[i] = s.demand_flow_m3s[i] + s.emitter_flow_m3s[i];
  return st;
}

}  // namespace citytwin::water
