#include "models/occupancy/occupancy_model.hpp"

#include <oneapi/tbb/parallel_for.h>

#include <array>
#include <cmath>
#include <unordered_map>

#include "engine/core/time.hpp"
#include "engine/sim/signals.hpp"
#include "models/occupancy/profiles.hpp"

namespace citytwin::occupancy {
namespace {

struct OccupancyParams {
  double scale = 1.0;  ///< multiplies every building's full occupancy
};

/// A timed factor on the occupancy of one use class (or all).
struct Factor {
  int use = -1;  ///< -1 = all
  double factor = 1;
  double until_s = 0;
};

class OccupancyModel final : public Model {
 public:
  explicit OccupancyModel(OccupancyParams p) : params_(p) {}

  std::string name() const override { return "occupancy"; }

  SignalAccess signals() const override { return {{}, {signals::kBuildingPeople}, {}}; }

  void setup(RunContext& ctx) override {
    ctx_ = &ctx;
    const auto& buildings = ctx.city.buildings;
    const size_t n = buildings.size();
    capacity_.resize(n);
    use_.resize(n);
    people_.assign(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      use_[i] = static_cast<std::uint8_t>(buildings[i].use);
      capacity_[i] = params_.scale * buildings[i].floor_area_m2 / floor_area_per_person_m2(buildings[i].use);
    }
    signal_ = ctx.exchange.declare(signals::kBuildingPeople, n);
    layer_ = ctx.recorder.add_layer("occupancy.people", "buildings", "people", "people in the building");
    total_ = ctx.recorder.add_series("occupancy.total_people", "people");
    for (int u = 0; u < kUseClassCount; ++u)
      by_use_[u] = ctx.recorder.add_series(std::string("occupancy.people.") + to_string(static_cast<UseClass>(u)),
                                           "people");
    compute(0.0);
  }

  // scale: a factor on the people in buildings of one use class (target; empty or "all": every class).
  void check_intervention(const Intervention& iv, Params& p) override {
    if (iv.action != "scale") {
      p.error("action", "unknown action \"" + iv.action + "\" (occupancy: scale)");
      return;
    }
    Factor f;
    f.until_s = iv.until_s;
    if (!iv.target.empty() && iv.target != "all") {
      for (int u = 0; u < kUseClassCount; ++u)
        if (iv.target == to_string(static_cast<UseClass>(u))) f.use = u;
      if (f.use < 0)
        p.error("target", "unknown target \"" + iv.target + "\" (all, residential, commercial, office, industrial, public, other)");
    }
    if (!p.has("factor")) p.error("factor", "missing: the factor on the people present");
    f.factor = p.number("factor", 1, 0, 100);
    p.finish();
    factor_of_.insert_or_assign(&iv, f);
  }

  void apply(const Intervention& iv, double) override { factors_.push_back(factor_of_.at(&iv)); }

  void advance(double, double t1_s) override {
    compute(t1_s);
    auto out = ctx_->exchange.write(signal_);
    std::copy(people_.begin(), people_.end(), out.begin());
  }

  void record(double t_s) override {
    ctx_->recorder.record_layer(layer_, t_s, people_);
    std::array<double, kUseClassCount> sums{};
    for (size_t i = 0; i < people_.size(); ++i) sums[use_[i]] += people_[i];
    double total = 0;
    for (int u = 0; u < kUseClassCount; ++u) {
      ctx_->recorder.record_series(by_use_[u], t_s, sums[u]);
      total += sums[u];
    }
    ctx_->recorder.record_series(total_, t_s, total);
    if (t_s > last_t_) person_s_ += total * (t_s - last_t_);
    last_t_ = t_s;
    if (total > peak_) peak_ = total, peak_t_ = t_s;
  }

  void finish() override {
    auto& r = ctx_->recorder;
    r.kpi("occupancy.peak_people", peak_, "people", "largest number of people in buildings at one time");
    r.kpi("occupancy.peak_time_s", peak_t_, "s", "time of the peak from the start");
    r.kpi("occupancy.person_hours", person_s_ / 3600.0, "person-h", "people in buildings integrated over the run");
    double capacity = 0;
    for (double c : capacity_) capacity += c;
    r.kpi("occupancy.capacity", capacity, "people", "sum of full occupancy over all buildings");
  }

 private:

  void compute(double t_s) {
    const auto cal = local_time(static_cast<double>(ctx_->scenario.start_unix_s + static_cast<std::int64_t>(std::floor(t_s))),
                                ctx_->scenario.timezone, ctx_->scenario.holidays);
    const double hour = cal.hour_frac + (t_s - std::floor(t_s)) / 3600.0;
    const bool weekend = cal.day_off();
    std::array<double, kUseClassCount> share{}, factor{};
    for (int u = 0; u < kUseClassCount; ++u) {
      share[u] = presence(static_cast<UseClass>(u), hour, weekend);
      factor[u] = 1;
      for (const auto& f : factors_)
        if (t_s < f.until_s && (f.use < 0 || f.use == u)) factor[u] *= f.factor;
    }
    tbb::parallel_for(size_t{0}, people_.size(), [&](size_t i) {
      people_[i] = capacity_[i] * share[use_[i]] * factor[use_[i]];
    });
  }

  OccupancyParams params_;
  RunContext* ctx_ = nullptr;
  std::vector<double> capacity_;
  std::vector<std::uint8_t> use_;
  std::vector<double> people_;
  std::vector<Factor> factors_;
  std::unordered_map<const Intervention*, Factor> factor_of_;  ///< checked interventions, by entry
  Exchange::SignalId signal_ = 0;
  Recorder::LayerId layer_ = 0;
  Recorder::SeriesId total_ = 0;
  std::array<Recorder::SeriesId, kUseClassCount> by_use_{};
  double peak_ = 0, peak_t_ = 0, person_s_ = 0, last_t_ = 0;
};

}  // namespace

void register_occupancy_model(ModelRegistry& registry) {
  registry.add("occupancy", "people in each building by use class and time of day", [](citytwin::Params& p) {
    OccupancyParams params;
    params.scale = p.number("scale", 1.0, 0.0, 100.0);
    return std::make_unique<OccupancyModel>(params);
  });
}

}  // namespace citytwin::occupancy
