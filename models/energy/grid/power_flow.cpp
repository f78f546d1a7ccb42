#include "models/energy/grid/power_flow.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include <klu.h>

namespace citytwin::energy {
namespace {

using Complex = std::complex<double>;
using SpMat = Eigen::SparseMatrix<double>;

int find_root(std::vector<int>& parent, int x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/// Series admittance and the four entries of a branch's 2x2 admittance matrix (MATPOWER makeYbus):
/// Yff = (ys + j b/2) / |t|^2, Yft = -ys / conj(t), Ytf = -ys / t, Ytt = ys + j b/2, t = tap e^{j shift}.
struct BranchAdmittance {
  Complex ys, yff, yft, ytf, ytt, t;
};

BranchAdmittance branch_admittance(const GridBranch& br) {
  BranchAdmittance a;
  a.ys = 1.0 / Complex(br.r_pu, br.x_pu);
  double ratio = br.tap == 0 ? 1.0 : br.tap;
  a.t = std::polar(ratio, br.shift_rad);
  Complex ytt = a.ys + Complex(0, br.b_pu / 2);
  a.ytt = ytt;
  a.yff = ytt / (ratio * ratio);
  a.yft = -a.ys / std::conj(a.t);
  a.ytf = -a.ys / a.t;
  return a;
}

bool branch_usable(const GridCase& g, const GridBranch& br) {
  return br.in_service && g.buses[br.from].type != BusType::isolated && g.buses[br.to].type != BusType::isolated;
}

}  // namespace

/// KLU (SuiteSparse) on one sparsity pattern: analysed once, factorised with pivoting on the first call,
/// then refactorised with the same pivots (no allocation), falling back to a full factorisation when the
/// reused pivots are poor (KLU's reciprocal pivot growth check).
class KluSolver {
 public:
  KluSolver() { klu_defaults(&common_); }
  ~KluSolver() {
    if (numeric_) klu_free_numeric(&numeric_, &common_);
    if (symbolic_) klu_free_symbolic(&symbolic_, &common_);
  }
  KluSolver(const KluSolver&) = delete;
  KluSolver& operator=(const KluSolver&) = delete;

  bool analyze(SpMat& a) {
    symbolic_ = klu_analyze(static_cast<int>(a.rows()), a.outerIndexPtr(), a.innerIndexPtr(), &common_);
    return symbolic_ != nullptr;
  }
  bool factorize(SpMat& a) {
    if (numeric_) {
      if (klu_refactor(a.outerIndexPtr(), a.innerIndexPtr(), a.valuePtr(), symbolic_, numeric_, &common_) &&
          klu_rgrowth(a.outerIndexPtr(), a.innerIndexPtr(), a.valuePtr(), symbolic_, numeric_, &common_) &&
          common_.rgrowth > 1e-8)
        return true;
      klu_free_numeric(&numeric_, &common_);
    }
    numeric_ = klu_factor(a.outerIndexPtr(), a.innerIndexPtr(), a.valuePtr(), symbolic_, &common_);
    return numeric_ != nullptr && common_.status == KLU_OK;
  }
  /// Solves in place.
  bool solve(Eigen::VectorXd& b) {
    return klu_solve(symbolic_, numeric_, static_cast<int>(b.size()), 1, b.data(), &common_) != 0;
  }

 private:
  klu_common common_;
  klu_symbolic* symbolic_ = nullptr;
  klu_numeric* numeric_ = nullptr;
};

PowerFlow::PowerFlow(const GridCase& grid) : grid_(grid) {
  const int n = static_cast<int>(grid.buses.size());
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  for (const auto& br : grid.branches) {
    if (!branch_usable(grid, br)) continue;
    int a = find_root(parent, br.from), b = find_root(parent, br.to);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
  // An island is energized when it holds a reference bus with a generator in service.
  std::vector<char> has_source(n, 0);
  for (const auto& g : grid.generators)
    if (g.in_service && grid.buses[g.bus].type == BusType::ref) has_source[find_root(parent, g.bus)] = 1;

  compact_.assign(n, -1);
  for (int i = 0; i < n; ++i) {
    if (grid.buses[i].type != BusType::isolated && has_source[find_root(parent, i)]) {
      compact_[i] = static_cast<int>(buses_.size());
      buses_.push_back(i);
    } else {
      islanded_.push_back(i);
    }
  }

  const int m = static_cast<int>(buses_.size());
  const double base = grid.base_va;
  std::vector<Eigen::Triplet<Complex>> trip;
  trip.reserve(4 * grid.branches.size() + m);
  for (int c = 0; c < m; ++c) {
    const auto& b = grid.buses[buses_[c]];
    trip.emplace_back(c, c, Complex(b.gs_w / base, b.bs_var / base));
  }
  for (const auto& br : grid.branches) {
    if (!branch_usable(grid, br) || compact_[br.from] < 0) continue;
    auto a = branch_admittance(br);
    int f = compact_[br.from], t = compact_[br.to];
    trip.emplace_back(f, f, a.yff);
    trip.emplace_back(f, t, a.yft);
    trip.emplace_back(t, f, a.ytf);
    trip.emplace_back(t, t, a.ytt);
  }
  ybus_.resize(m, m);
  ybus_.setFromTriplets(trip.begin(), trip.end());
  ybus_.makeCompressed();
}

PowerFlowResult PowerFlow::solve(const PowerFlowOptions& opt, std::span<const double> pd_w,
                                 std::span<const double> qd_var, PowerFlowWorkspace* workspace) const {
  const GridCase& g = grid_;
  const int n = static_cast<int>(g.buses.size());
  const int m = static_cast<int>(buses_.size());
  const double base = g.base_va;
  PowerFlowResult res;
  res.vm_pu.assign(n, 0.0);
  res.va_rad.assign(n, 0.0);
  res.energized.assign(n, 0);
  res.islanded_buses = islanded_;
  res.pg_w.assign(g.generators.size(), 0.0);
  res.qg_var.assign(g.generators.size(), 0.0);
  res.p_from_w.assign(g.branches.size(), 0.0);
  res.q_from_var = res.p_to_w = res.q_to_var = res.p_from_w;
  if (m == 0) {
    res.message = "no bus is connected to a reference bus with a generator in service";
    return res;
  }

  std::vector<double> pd(m), qd(m);
  for (int c = 0; c < m; ++c) {
    int b = buses_[c];
    pd[c] = (pd_w.empty() ? g.buses[b].pd_w : pd_w[b]) / base;
    qd[c] = (qd_var.empty() ? g.buses[b].qd_var : qd_var[b]) / base;
  }
  // Generators held at a Q limit (PV -> PQ switching) keep their Q as a fixed injection.
  std::vector<char> fixed(g.generators.size(), 0);
  std::vector<double> fixed_q(g.generators.size(), 0.0);

  std::vector<Complex> v(m);
  for (int c = 0; c < m; ++c) v[c] = std::polar(g.buses[buses_[c]].vm_pu, g.buses[buses_[c]].va_rad);
  std::vector<char> vset(m, 0);
  for (const auto& gen : g.generators) {
    int c = compact_[gen.bus];
    if (!gen.in_service || c < 0 || vset[c]) continue;
    BusType t = g.buses[gen.bus].type;
    if (t == BusType::ref || t == BusType::pv) {
      v[c] = gen.vg_pu / std::abs(v[c]) * v[c];
      vset[c] = 1;
    }
  }

  std::vector<Complex> current(m);
  auto update_current = [&] {
    for (int c = 0; c < m; ++c) current[c] = 0;
    for (int k = 0; k < ybus_.outerSize(); ++k)
      for (Eigen::SparseMatrix<Complex>::InnerIterator it(ybus_, k); it; ++it) current[it.row()] += it.value() * v[k];
  };

  // Diagonal positions of ybus_ (in its value array).
  std::vector<int> ydiag(m, -1);
  for (int k = 0; k < m; ++k)
    for (int p = ybus_.outerIndexPtr()[k]; p < ybus_.outerIndexPtr()[k + 1]; ++p)
      if (ybus_.innerIndexPtr()[p] == k) ydiag[k] = p;

  bool done = false;
  while (!done) {
    // Bus types of this round (MATPOWER bustypes): a reference or PV bus needs a free generator.
    std::vector<char> has_free_gen(m, 0);
    std::vector<Complex> sbus(m);
    for (int c = 0; c < m; ++c) sbus[c] = Complex(-pd[c], -qd[c]);
    for (size_t k = 0; k < g.generators.size(); ++k) {
      const auto& gen = g.generators[k];
      int c = compact_[gen.bus];
      if (!gen.in_service || c < 0) continue;
      if (fixed[k]) {
        sbus[c] += Complex(gen.pg_w / base, fixed_q[k] / base);
      } else {
        sbus[c] += Complex(gen.pg_w / base, gen.qg_var / base);
        has_free_gen[c] = 1;
      }
    }
    std::vector<int> ang(m, -1), mag(m, -1);
    int npvpq = 0, npq = 0;
    for (int c = 0; c < m; ++c) {
      BusType t = g.buses[buses_[c]].type;
      bool ref = t == BusType::ref && has_free_gen[c];
      bool pv = t == BusType::pv && has_free_gen[c];
      if (!ref) ang[c] = npvpq++;
      if (!ref && !pv) ++npq;
    }
    for (int c = 0, q = 0; c < m; ++c) {
      BusType t = g.buses[buses_[c]].type;
      bool gen_bus = (t == BusType::ref || t == BusType::pv) && has_free_gen[c];
      if (!gen_bus) mag[c] = npvpq + q++;
    }
    const int nx = npvpq + npq;

    // Jacobian pattern and, for every ybus_ entry, where its four derivatives go.
    // The Jacobian's pattern, where each ybus_ entry's derivatives go, and the KLU analysis depend only on the
    // bus types: kept in the workspace and reused while they stay the same.
    PowerFlowWorkspace local;
    PowerFlowWorkspace& w = workspace ? *workspace : local;
    if (w.owner != this || w.ang != ang || w.mag != mag) {
      w = PowerFlowWorkspace{};
      w.owner = this;
      w.ang = ang;
      w.mag = mag;
      std::vector<Eigen::Triplet<double>> trip;
      trip.reserve(4 * ybus_.nonZeros());
      for (int k = 0; k < m; ++k)
        for (Eigen::SparseMatrix<Complex>::InnerIterator it(ybus_, k); it; ++it) {
          int i = static_cast<int>(it.row());
          for (int row : {ang[i], mag[i]})
            for (int col : {ang[k], mag[k]})
              if (row >= 0 && col >= 0) trip.emplace_back(row, col, 1.0);
        }
      w.jac.resize(nx, nx);
      w.jac.setFromTriplets(trip.begin(), trip.end());
      w.jac.makeCompressed();
      auto position = [&](int row, int col) -> int {
        if (row < 0 || col < 0) return -1;
        const int* begin = w.jac.innerIndexPtr() + w.jac.outerIndexPtr()[col];
        const int* end = w.jac.innerIndexPtr() + w.jac.outerIndexPtr()[col + 1];
        return static_cast<int>(std::lower_bound(begin, end, row) - w.jac.innerIndexPtr());
      };
      // pos[4p + 0..3]: (P_i, theta_k), (Q_i, theta_k), (P_i, V_k), (Q_i, V_k) for ybus_ entry p = (i, k).
      w.pos.resize(4 * ybus_.nonZeros());
      for (int k = 0; k < m; ++k)
        for (int p = ybus_.outerIndexPtr()[k]; p < ybus_.outerIndexPtr()[k + 1]; ++p) {
          int i = ybus_.innerIndexPtr()[p];
          w.pos[4 * p + 0] = position(ang[i], ang[k]);
          w.pos[4 * p + 1] = position(mag[i], ang[k]);
          w.pos[4 * p + 2] = position(ang[i], mag[k]);
          w.pos[4 * p + 3] = position(mag[i], mag[k]);
        }
      w.lu = std::make_shared<KluSolver>();
      if (nx > 0 && !w.lu->analyze(w.jac)) {
        w = PowerFlowWorkspace{};
        res.message = "the Jacobian's sparsity pattern could not be analysed";
        return res;
      }
    }
    SpMat& jac = w.jac;
    const std::vector<int>& pos = w.pos;
    KluSolver& lu = *w.lu;
    Eigen::VectorXd f(nx), dx(nx);

    auto mismatch = [&] {
      update_current();
      double worst = 0;
      int worst_c = -1;
      for (int c = 0; c < m; ++c) {
        Complex mis = v[c] * std::conj(current[c]) - sbus[c];
        if (ang[c] >= 0) f[ang[c]] = mis.real();
        if (mag[c] >= 0) f[mag[c]] = mis.imag();
        double e = std::max(ang[c] >= 0 ? std::abs(mis.real()) : 0.0, mag[c] >= 0 ? std::abs(mis.imag()) : 0.0);
        if (!(e <= worst)) {  // also catches NaN
          worst = std::isnan(e) ? std::numeric_limits<double>::infinity() : e;
          worst_c = c;
        }
      }
      res.max_mismatch_pu = worst;
      res.worst_bus = worst_c < 0 ? -1 : buses_[worst_c];
      return worst;
    };

    bool converged = mismatch() < opt.tolerance_pu;
    int it = 0;
    while (!converged && it < opt.max_iterations) {
      ++it;
      // dS/dVa = j diag(V) conj(diag(I) - Y diag(V)); dS/dVm = diag(V) conj(Y diag(V/|V|)) + conj(diag(I)) diag(V/|V|)
      double* val = jac.valuePtr();
      for (int k = 0; k < m; ++k) {
        Complex vn_k = v[k] / std::abs(v[k]);
        for (int p = ybus_.outerIndexPtr()[k]; p < ybus_.outerIndexPtr()[k + 1]; ++p) {
          int i = ybus_.innerIndexPtr()[p];
          Complex y = ybus_.valuePtr()[p];
          Complex a = Complex(0, 1) * v[i] * (-std::conj(y * v[k]));
          Complex b = v[i] * std::conj(y * vn_k);
          if (i == k) {
            a += Complex(0, 1) * v[i] * std::conj(current[i]);
            b += std::conj(current[i]) * vn_k;
          }
          const int* q = &pos[4 * p];
          if (q[0] >= 0) val[q[0]] = a.real();
          if (q[1] >= 0) val[q[1]] = a.imag();
          if (q[2] >= 0) val[q[2]] = b.real();
          if (q[3] >= 0) val[q[3]] = b.imag();
        }
      }
      if (!lu.factorize(jac)) {
        res.message = "the Jacobian is singular at iteration " + std::to_string(res.iterations + it);
        res.iterations += it;
        return res;
      }
      dx = f;
      lu.solve(dx);
      for (int c = 0; c < m; ++c) {
        double vm = std::abs(v[c]), va = std::arg(v[c]);
        if (ang[c] >= 0) va -= dx[ang[c]];
        if (mag[c] >= 0) vm -= dx[mag[c]];
        v[c] = std::polar(vm, va);
      }
      double e = mismatch();
      converged = e < opt.tolerance_pu;
      if (!std::isfinite(e)) break;
    }
    res.iterations += it;
    if (!converged) {
      std::ostringstream msg;
      msg << "did not converge after " << res.iterations << " iterations (largest mismatch " << res.max_mismatch_pu
          << " p.u. at bus " << (res.worst_bus >= 0 ? g.buses[res.worst_bus].id : 0) << ")";
      res.message = msg.str();
      return res;
    }

    // Generator outputs (MATPOWER pfsoln): the bus's Q shared in proportion to the generators' Q ranges;
    // the reference bus's P taken by its first generator.
    std::vector<double> bus_q(m), bus_p(m);
    for (int c = 0; c < m; ++c) {
      Complex s = v[c] * std::conj(current[c]);
      bus_p[c] = s.real() + pd[c];
      bus_q[c] = s.imag() + qd[c];
    }
    std::vector<double> qmin_tot(m, 0), qmax_tot(m, 0);
    std::vector<int> free_count(m, 0);
    for (size_t k = 0; k < g.generators.size(); ++k) {
      const auto& gen = g.generators[k];
      int c = compact_[gen.bus];
      if (!gen.in_service || c < 0) continue;
      if (fixed[k]) {
        bus_q[c] -= fixed_q[k] / base;
        continue;
      }
      ++free_count[c];
      qmin_tot[c] += gen.qmin_var / base;
      qmax_tot[c] += gen.qmax_var / base;
    }
    std::vector<char> first_seen(m, 0);
    for (size_t k = 0; k < g.generators.size(); ++k) {
      const auto& gen = g.generators[k];
      int c = compact_[gen.bus];
      res.pg_w[k] = res.qg_var[k] = 0;
      if (!gen.in_service || c < 0) continue;
      res.pg_w[k] = gen.pg_w;
      if (fixed[k]) {
        res.qg_var[k] = fixed_q[k];
        continue;
      }
      double range_tot = qmax_tot[c] - qmin_tot[c];
      double q;
      if (free_count[c] == 1 || !std::isfinite(range_tot) || std::abs(range_tot) < 1e-12)
        q = bus_q[c] / free_count[c];
      else
        q = gen.qmin_var / base + (bus_q[c] - qmin_tot[c]) * ((gen.qmax_var - gen.qmin_var) / base) / range_tot;
      res.qg_var[k] = q * base;
      if (g.buses[gen.bus].type == BusType::ref && !first_seen[c]) {
        double others = 0;
        for (const auto& o : g.generators)
          if (&o != &gen && o.in_service && o.bus == gen.bus) others += o.pg_w;
        res.pg_w[k] = bus_p[c] * base - others;
      }
      first_seen[c] = 1;
    }

    done = true;
    if (opt.enforce_q_limits) {
      // MATPOWER runpf with enforce_q_lims = 1: every violating generator of a PV bus at once, then re-solve.
      const double tol = 5e-6 * base;  // 5e-6 p.u., MATPOWER's opf.violation default
      for (size_t k = 0; k < g.generators.size(); ++k) {
        const auto& gen = g.generators[k];
        int c = compact_[gen.bus];
        if (!gen.in_service || c < 0 || fixed[k] || g.buses[gen.bus].type != BusType::pv) continue;
        if (res.qg_var[k] > gen.qmax_var + tol || res.qg_var[k] < gen.qmin_var - tol) {
          fixed[k] = 1;
          fixed_q[k] = res.qg_var[k] > gen.qmax_var ? gen.qmax_var : gen.qmin_var;
          res.q_limited.push_back(static_cast<int>(k));
          done = false;
        }
      }
    }
  }
  res.converged = true;
  std::sort(res.q_limited.begin(), res.q_limited.end());

  for (int c = 0; c < m; ++c) {
    res.vm_pu[buses_[c]] = std::abs(v[c]);
    res.va_rad[buses_[c]] = std::arg(v[c]);
    res.energized[buses_[c]] = 1;
  }
  for (size_t k = 0; k < g.branches.size(); ++k) {
    const auto& br = g.branches[k];
    if (!branch_usable(g, br) || compact_[br.from] < 0) continue;
    auto a = branch_admittance(br);
    Complex vf = v[compact_[br.from]], vt = v[compact_[br.to]];
    Complex sf = vf * std::conj(a.yff * vf + a.yft * vt);
    Complex st = vt * std::conj(a.ytf * vf + a.ytt * vt);
    res.p_from_w[k] = sf.real() * base;
    res.q_from_var[k] = sf.imag() * base;
    res.p_to_w[k] = st.real() * base;
    res.q_to_var[k] = st.imag() * base;
    // Series current through the impedance behind the ideal transformer (MATPOWER get_losses).
    Complex is = a.ys * (vf / a.t - vt);
    double i2 = std::norm(is);
    res.losses_w += i2 * br.r_pu * base;
    res.losses_series_var += i2 * br.x_pu * base;
  }
  return res;
}

}  // namespace citytwin::energy
