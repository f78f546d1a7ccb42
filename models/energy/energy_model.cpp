#include "models/energy/energy_model.hpp"

#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <span>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <filesystem>
#include <numeric>
#include <unordered_map>

#include "engine/core/time.hpp"
#include "engine/sim/hourly_factors.hpp"
#include "engine/sim/scenario.hpp"
#include "engine/sim/signals.hpp"
#include "models/energy/building/stock.hpp"
#include "models/energy/grid/city_grid.hpp"
#include "models/energy/grid/power_flow.hpp"
#include "models/energy/ev/ev_charging.hpp"
#include "models/energy/io/epw.hpp"
#include "models/energy/io/temperature_csv.hpp"
#include "models/energy/pv/rooftop_pv.hpp"

namespace citytwin::energy {
namespace {

constexpr double kPi = 3.141592653589793;

struct EnergyParams {
  std::string weather_path;
  std::string temperature_file;  ///< hourly replacement of the weather's air temperature (empty = none)
  double temperature_offset_c = 0;
  double pv_share = 0, ev_share = 0;
  PvParams pv;
  EvParams ev;
  double max_step_s = 3600;
  bool grid = true;
  CityGridParams grid_params;
  HourlyFactors building_multipliers;  ///< calibrated demand multipliers by building and local hour
};

/// A timed outage of a substation or a line ("S1", "T1", "L12").
struct Outage {
  std::string target;
  double until_s;
};

/// A heat wave in force until until_s: an offset added to the outdoor air temperature, or a replacement of it
/// (a constant, a daily profile between a minimum at 03:00 and a maximum at 15:00, or an hourly series).
struct HeatWave {
  enum class Kind { offset, constant, daily, series } kind = Kind::offset;
  double value_c = 0;             ///< offset, constant, or the daily minimum
  double max_c = 0;               ///< daily maximum
  std::vector<double> series_c;   ///< per hour of the year, NaN = keep
  double until_s = 0;
};

/// What every run on the same weather, buildings and grid shares.
struct EnergyPrepared final : PreparedData {
  Weather weather;
  std::vector<double> temperature_series;  ///< the scenario's replacement per hour of the year, NaN = keep
  BuildingStock stock;
  std::vector<ClimateHour> climate;
  PvIrradiance pv_irr;
  double ground_c = 15, mean_pressure_pa = 101325;
  CityGrid grid;      ///< generated when the parameters ask for the grid
  ElementSet lines;   ///< "grid.lines"
};

/// Each building's design load for sizing the generated grid: its largest electric demand over a year of
/// the weather file (hourly, weekdays, no heat wave, PV or EV).
std::vector<double> design_loads(const EnergyPrepared& p) {
  const size_t records = p.weather.size(), n = p.stock.size();
  std::vector<StockStepInputs> steps(records);
  for (size_t r = 0; r < records; ++r) {
    steps[r].climate = &p.climate[r];
    steps[r].ground_c = p.ground_c;
    steps[r].reference_pressure_pa = p.mean_pressure_pa;
    steps[r].hour_of_day = static_cast<int>((r / static_cast<size_t>(p.weather.records_per_hour)) % 24);
    steps[r].dt_s = p.weather.step_s();
  }
  StockState state(n);
  std::vector<double> peak(n, 0.0);
  run_stock(p.stock, steps, state, nullptr, {}, peak);
  return peak;
}

ElementSet grid_lines(const EnergyPrepared& p) {
  const size_t nb = p.grid.grid.branches.size();
  ElementSet lines;
  lines.name = "grid.lines";
  lines.kind = GeometryKind::line;
  lines.ids = p.grid.branch_ids;
  lines.lines = p.grid.branch_shapes;
  Attribute rating{"rating_mva", {}, {}};
  for (const auto& br : p.grid.grid.branches) rating.numbers.push_back(br.rate_a_va / 1e6);
  lines.attributes.push_back(rating);
  Attribute circuits{"circuits", {}, {}}, section{"cross_section_mm2", {}, {}}, design{"design_load_mw", {}, {}};
  for (size_t b = 0; b < nb; ++b) {
    circuits.numbers.push_back(p.grid.branch_circuits[b]);
    section.numbers.push_back(p.grid.branch_cross_section_mm2[b]);
    design.numbers.push_back(p.grid.branch_design_load_w[b] / 1e6);
  }
  lines.attributes.push_back(circuits);
  lines.attributes.push_back(section);
  lines.attributes.push_back(design);
  return lines;
}

std::shared_ptr<const EnergyPrepared> prepare_energy(const City& city, const EnergyParams& params) {
  auto p = std::make_shared<EnergyPrepared>();
  p->weather = read_epw(params.weather_path);
  if (!params.temperature_file.empty()) p->temperature_series = read_temperature_csv(params.temperature_file);
  p->stock = make_stock(city);
  p->climate = climate_hours(p->weather, p->stock.envelope);
  p->pv_irr = pv_irradiance(p->weather, params.pv);
  const auto& w = p->weather;
  p->ground_c = std::accumulate(w.dry_bulb_c.begin(), w.dry_bulb_c.end(), 0.0) / w.size();
  p->mean_pressure_pa = std::accumulate(w.pressure_pa.begin(), w.pressure_pa.end(), 0.0) / w.size();
  if (params.grid) {
    CityGridParams g = params.grid_params;
    g.design_load_w = design_loads(*p);
    p->grid = generate_city_grid(city, g);
    p->lines = grid_lines(*p);
  }
  return p;
}

class EnergyModel final : public Model {
 public:
  explicit EnergyModel(EnergyParams p) : params_(std::move(p)) {}

  std::string name() const override { return "energy"; }
  SignalAccess signals() const override {
    const std::vector<std::string> optional = {signals::kBuildingEvArrivals, signals::kFeedAirTemperatureC,
                                               signals::kFeedBuildingElectricityW};
    if (params_.grid) return {{}, {signals::kBuildingDemandW, signals::kBuildingEnergized}, optional};
    return {{}, {signals::kBuildingDemandW}, optional};
  }

  // Weather, building stock and grid depend on the files and the parameters that shape them; shares,
  // the fleet (the seed), heat waves and outages are per run.
  std::string prepare_key() const override {
    const auto& g = params_.grid_params;
    return params_.weather_path + "|" + params_.temperature_file + "|" + prepare_key_number(params_.pv.tilt_deg) + "|" +
           prepare_key_number(params_.pv.azimuth_deg) + "|" + (params_.grid ? "grid " + std::to_string(g.substations) : "no grid");
  }
  std::shared_ptr<const PreparedData> prepare(const City& city) const override { return prepare_energy(city, params_); }

  void setup(RunContext& ctx) override {
    ctx_ = &ctx;
    prep_ = &ctx.prepared_as<EnergyPrepared>();
    fleet_ = make_fleet(prep_->stock, params_.ev, ctx.scenario.seed);
    const size_t n = prep_->stock.size();
    state_ = StockState(n);
    pv_rank_.resize(n);
    pv_area_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      pv_rank_[i] = pv_rank(ctx.scenario.seed, i);
      pv_area_[i] = params_.pv.roof_usable * prep_->stock.roof_area_m2[i];
    }
    pv_share_ = params_.pv_share;
    ev_share_ = params_.ev_share;
    for (auto* v : {&demand_, &pv_w_, &ev_w_, &interval_energy_, &interval_pv_, &interval_ev_, &ev_step_})
      v->assign(n, 0.0);
    signal_ = ctx.exchange.declare(signals::kBuildingDemandW, n);
    find_multiplied_buildings(ctx.city);
    ev_pending_j_.assign(n, 0.0);
    auto& r = ctx.recorder;
    layer_demand_ = r.add_layer("energy.demand", "buildings", "W",
                                "net electric demand (heat pumps, chillers, lighting, appliances, EV charging less rooftop PV)");
    layer_temp_ = r.add_layer("energy.indoor_temperature", "buildings", "C", "indoor air temperature");
    layer_pv_ = r.add_layer("energy.pv", "buildings", "W", "rooftop PV output");
    series_load_ = r.add_series("energy.total_demand", "W");
    series_pv_ = r.add_series("energy.pv", "W");
    series_ev_ = r.add_series("energy.ev_charging", "W");
    series_heat_ = r.add_series("energy.heating", "W");
    series_cool_ = r.add_series("energy.cooling", "W");
    series_out_ = r.add_series("energy.outdoor_temperature", "C");
    if (params_.grid) setup_grid(ctx);
    // The series' first record (the start, before any step) shows the outdoor temperature of that instant.
    const auto start = static_cast<double>(ctx.scenario.start_unix_s);
    last_outdoor_c_ = outdoor_temperature(0, prep_->weather.record_at(start), local_time(start, ctx.scenario.timezone).hour_frac);
  }

  // EV arrivals come from the traffic model when it runs; otherwise the standalone daily profile.
  void connect(RunContext& ctx) override {
    use_arrivals_ = ctx.exchange.has(signals::kBuildingEvArrivals);
    if (use_arrivals_) arrivals_signal_ = ctx.exchange.id(signals::kBuildingEvArrivals);
    // Driving feeds: a measured air temperature replaces the weather's, a building's meter its modelled demand.
    if (ctx.exchange.has(signals::kFeedAirTemperatureC)) feed_temperature_ = ctx.exchange.id(signals::kFeedAirTemperatureC);
    if (ctx.exchange.has(signals::kFeedBuildingElectricityW)) feed_meters_ = ctx.exchange.id(signals::kFeedBuildingElectricityW);
  }

  // check_intervention parsed the heat waves; the Simulation applies those same objects
  // (ctx.scenario.interventions), so they are looked up by address.
  void apply(const Intervention& iv, double) override {
    if (iv.action == "heat_wave") heat_waves_.push_back(heat_wave_of_.at(&iv));
    else if (iv.action == "pv_share") pv_share_ = *iv.params["share"].value<double>();
    else if (iv.action == "ev_share") ev_share_ = *iv.params["share"].value<double>();
    else if (iv.action == "substation_outage" || iv.action == "line_outage") outages_.push_back({iv.target, iv.until_s});
  }

  void advance(double t0_s, double t1_s) override {
    const size_t n = prep_->stock.size();
    measured_outdoor_c_ = feed_temperature_ ? ctx_->exchange.read(*feed_temperature_)[0] : NAN;
    std::fill(interval_energy_.begin(), interval_energy_.end(), 0.0);
    std::fill(interval_pv_.begin(), interval_pv_.end(), 0.0);
    std::fill(interval_ev_.begin(), interval_ev_.end(), 0.0);
    const int steps = std::max(1, static_cast<int>(std::ceil((t1_s - t0_s) / params_.max_step_s - 1e-9)));
    const double dt = (t1_s - t0_s) / steps;
    interval_heat_ = interval_cool_ = 0;
    // The buildings step through every sub-step of the interval in one time-blocked pass (run_stock), which
    // adds each building's electricity x dt to interval_energy_ and gives city totals per sub-step.
    step_inputs_.assign(static_cast<size_t>(steps), StockStepInputs{});
    std::vector<size_t> records(static_cast<size_t>(steps));
    std::vector<double> hours0(static_cast<size_t>(steps));
    for (int k = 0; k < steps; ++k) {
      const double t = t0_s + k * dt;
      const double unix_mid = ctx_->scenario.start_unix_s + t + 0.5 * dt;
      const CalendarTime lt = local_time(unix_mid, ctx_->scenario.timezone, ctx_->scenario.holidays);
      const size_t rec = prep_->weather.record_at(unix_mid);
      StockStepInputs& in = step_inputs_[k];
      in.climate = &prep_->climate[rec];
      in.temperature_offset_c = outdoor_temperature(t, rec, lt.hour_frac) - prep_->climate[rec].theta_e;
      in.ground_c = prep_->ground_c;
      in.reference_pressure_pa = prep_->mean_pressure_pa;
      in.hour_of_day = lt.hour;
      in.weekend = lt.day_off();
      in.dt_s = dt;
      records[k] = rec;
      hours0[k] = local_time(unix_mid - 0.5 * dt, ctx_->scenario.timezone).local_hours;
    }
    run_stock(prep_->stock, step_inputs_, state_, &stock_totals_, interval_energy_);
    const double share = pv_share_;
    if (share != equipped_share_) {
      equipped_share_ = share;
      equipped_area_m2_ = 0;
      for (size_t i = 0; i < n; ++i)
        if (pv_rank_[i] < share) equipped_area_m2_ += pv_area_[i];
    }
    for (int k = 0; k < steps; ++k) {
      const size_t rec = records[k];
      const double outdoor = prep_->climate[rec].theta_e + step_inputs_[k].temperature_offset_c;
      const double pv_w_m2 = pv_power_w_m2(params_.pv, prep_->pv_irr.poa_wm2[rec], prep_->pv_irr.effective_wm2[rec], outdoor);
      if (use_arrivals_)
        ev_queue_step(ev_pending_j_, k == 0 ? ctx_->exchange.read(arrivals_signal_) : std::span<const double>{},
                      ev_share_, params_.ev, dt, ev_step_);
      else
        ev_charging_power(fleet_, params_.ev, ev_share_, hours0[k], hours0[k] + dt / 3600.0, ev_step_);
      tbb::parallel_for(size_t{0}, n, [&](size_t i) {
        const double pv = pv_rank_[i] < share ? pv_area_[i] * pv_w_m2 : 0.0;
        interval_pv_[i] += pv * dt;
        interval_ev_[i] += ev_step_[i] * dt;
        interval_energy_[i] += (ev_step_[i] - pv) * dt;
      });
      // City totals from per-part sums in a fixed order (deterministic at any thread count).
      double ev_total = 0;
      for (size_t i = 0; i < n; ++i) ev_total += ev_step_[i];
      const double load = stock_totals_.electric_w[k] + ev_total - equipped_area_m2_ * pv_w_m2;
      if (load > peak_w_) peak_w_ = load, peak_t_ = t0_s + (k + 0.5) * dt;
      interval_heat_ += stock_totals_.heating_w[k] * dt;
      interval_cool_ += stock_totals_.cooling_w[k] * dt;
      last_outdoor_c_ = outdoor;
    }
    const double span = t1_s - t0_s;
    auto out = ctx_->exchange.write(signal_);
    for (size_t i = 0; i < n; ++i) {
      demand_[i] = interval_energy_[i] / span;
      pv_w_[i] = interval_pv_[i] / span;
      ev_w_[i] = interval_ev_[i] / span;
      out[i] = demand_[i];
    }
    if (!multipliers_.empty()) apply_multipliers(t0_s, out);
    if (feed_meters_) apply_meters(ctx_->exchange.read(*feed_meters_), out);
    interval_span_ = span;
    if (params_.grid) grid_step(t0_s, span);
  }

  void record(double t_s) override {
    auto& r = ctx_->recorder;
    r.record_layer(layer_demand_, t_s, demand_);
    r.record_layer(layer_temp_, t_s, state_.theta_air);
    r.record_layer(layer_pv_, t_s, pv_w_);
    double load = 0, pv = 0, ev = 0;
    for (size_t i = 0; i < demand_.size(); ++i) {
      load += demand_[i];
      pv += pv_w_[i];
      ev += ev_w_[i];
    }
    const double span = std::max(interval_span_, 1e-9);
    r.record_series(series_load_, t_s, load);
    r.record_series(series_pv_, t_s, pv);
    r.record_series(series_ev_, t_s, ev);
    r.record_series(series_heat_, t_s, interval_heat_ / span);
    r.record_series(series_cool_, t_s, interval_cool_ / span);
    r.record_series(series_out_, t_s, last_outdoor_c_);
    if (params_.grid) {
      r.record_layer(layer_loading_, t_s, loading_);
      r.record_series(series_losses_, t_s, last_losses_w_);
    }
    energy_j_ += load * span;
    pv_j_ += pv * span;
    ev_j_ += ev * span;
    heat_j_ += interval_heat_;
    cool_j_ += interval_cool_;
  }

  void finish() override {
    auto& r = ctx_->recorder;
    constexpr double kMwh = 3.6e9;
    r.kpi("energy.peak_load_w", peak_w_, "W", "largest city-wide net electric demand of any model step");
    r.kpi("energy.peak_time_s", peak_t_, "s", "time of the peak from the start");
    r.kpi("energy.electricity_mwh", energy_j_ / kMwh, "MWh", "net electricity drawn by all buildings (PV subtracted)");
    r.kpi("energy.pv_mwh", pv_j_ / kMwh, "MWh", "rooftop PV energy");
    r.kpi("energy.ev_mwh", ev_j_ / kMwh, "MWh", "EV charging energy");
    r.kpi("energy.heating_mwh", heat_j_ / kMwh, "MWh", "space heating delivered (thermal)");
    r.kpi("energy.cooling_mwh", cool_j_ / kMwh, "MWh", "space cooling delivered (thermal)");
    if (!params_.grid) return;
    r.kpi("energy.grid_losses_mwh", losses_j_ / kMwh, "MWh", "losses in the generated 20 kV grid and its transformers");
    r.kpi("energy.max_line_loading", max_line_loading_, "1", "largest loading of a 20 kV cable (1 = its rating)");
    r.kpi("energy.line_overload_hours", overload_s_ / 3600, "h", "hours above 100 % loading, summed over cables");
    r.kpi("energy.max_transformer_loading", max_trafo_loading_, "1", "largest loading of a 110/20 kV substation");
    r.kpi("energy.transformer_overload_hours", trafo_overload_s_ / 3600, "h", "hours above 100 %, summed over substations");
    r.kpi("energy.voltage_violation_bus_hours", violation_s_ / 3600, "h",
          "hours a 20 kV bus was outside 0.95-1.05 p.u., summed over buses");
    r.kpi("energy.unserved_mwh", unserved_j_ / kMwh, "MWh", "demand of buildings cut off by outages");
    r.kpi("energy.power_flow_failures", failures_, "1", "intervals whose power flow did not converge");
  }

 private:
  void find_multiplied_buildings(const City& city) {
    if (params_.building_multipliers.empty()) return;
    std::vector<std::string> ids;
    for (const auto& b : city.buildings) ids.push_back(b.id);
    multipliers_ = params_.building_multipliers.by_index(ids, "building", "the city");
  }

  /// The calibrated multipliers of the local hour the step starts in, on the buildings' demand.
  void apply_multipliers(double t0_s, std::span<double> out) {
    const int hour = HourlyFactors::step_hour(ctx_->scenario, t0_s);
    for (const auto& [i, factors] : multipliers_) {
      demand_[i] *= factors[hour];
      out[i] = demand_[i];
    }
  }

  /// A metered building's measured demand replaces its modelled one (the meter sees the whole building:
  /// heating, cooling, appliances, EV charging less PV), in the layer, the signal to the grid and the totals.
  void apply_meters(std::span<const double> measured, std::span<double> out) {
    for (size_t i = 0; i < demand_.size(); ++i) {
      if (std::isnan(measured[i])) continue;
      demand_[i] = measured[i];
      out[i] = measured[i];
    }
  }

  /// Outdoor air temperature at time t_s (from the start) for weather record rec: the weather's, or the
  /// scenario's replacement series, plus the scenario's offset, then every heat wave in force in the order
  /// they began (a replacement sets the value, an offset adds to it). The sky temperature moves with the air
  /// (run_stock applies the difference as an offset to both).
  double outdoor_temperature(double t_s, size_t rec, double local_hour) const {
    const size_t hour = (rec / static_cast<size_t>(prep_->weather.records_per_hour)) % kHoursPerYear;
    double te = prep_->climate[rec].theta_e;
    if (!prep_->temperature_series.empty() && !std::isnan(prep_->temperature_series[hour])) te = prep_->temperature_series[hour];
    if (!std::isnan(measured_outdoor_c_)) te = measured_outdoor_c_;
    te += params_.temperature_offset_c;
    for (const auto& hw : heat_waves_) {
      if (t_s >= hw.until_s) continue;
      switch (hw.kind) {
        case HeatWave::Kind::offset: te += hw.value_c; break;
        case HeatWave::Kind::constant: te = hw.value_c; break;
        case HeatWave::Kind::daily:
          // Cosine between the minimum at 03:00 and the maximum at 15:00 local time (the scenario's zone).
          te = 0.5 * (hw.value_c + hw.max_c) + 0.5 * (hw.max_c - hw.value_c) * std::cos(2 * kPi * (local_hour - 15) / 24);
          break;
        case HeatWave::Kind::series:
          if (!std::isnan(hw.series_c[hour])) te = hw.series_c[hour];
          break;
      }
    }
    return te;
  }

  /// The heat_wave intervention: exactly one of offset_c, temperature_c, file (an hourly CSV, relative to the
  /// scenario), or daily_min_c with daily_max_c. Problems go to p.
  HeatWave parse_heat_wave(const Intervention& iv, Params& p) const {
    HeatWave hw;
    hw.until_s = iv.until_s;
    int forms = 0;
    if (p.has("offset_c")) {
      hw.kind = HeatWave::Kind::offset;
      hw.value_c = p.number("offset_c", 0, -30, 30);
      ++forms;
    }
    if (p.has("temperature_c")) {
      hw.kind = HeatWave::Kind::constant;
      hw.value_c = p.number("temperature_c", 0, -70, 70);
      ++forms;
    }
    if (p.has("file")) {
      hw.kind = HeatWave::Kind::series;
      const std::string path = p.path("file", "an hourly CSV: hour_of_year,temperature_c");
      if (!path.empty() && std::filesystem::is_regular_file(path)) hw.series_c = read_temperature_csv(path);
      ++forms;
    }
    if (p.has("daily_min_c")) {
      hw.kind = HeatWave::Kind::daily;
      hw.value_c = p.number("daily_min_c", 0, -70, 70);
      if (!p.has("daily_max_c")) p.error("daily_min_c", "needs daily_max_c");
      hw.max_c = p.number("daily_max_c", hw.value_c, -70, 70);
      if (hw.max_c < hw.value_c) p.error("daily_max_c", "below daily_min_c");
      ++forms;
    } else if (p.has("daily_max_c")) {
      p.error("daily_max_c", "daily_max_c needs daily_min_c");
    }
    if (forms != 1)
      p.error("action", "heat_wave: expected exactly one of offset_c, temperature_c, file, or daily_min_c with daily_max_c");
    return hw;
  }

  // heat_wave, pv_share, ev_share, substation_outage, line_outage (a heat wave is parsed into heat_wave_of_).
  void check_intervention(const Intervention& iv, Params& p) override {
    const std::string& a = iv.action;
    if (a == "heat_wave") {
      heat_wave_of_.insert_or_assign(&iv, parse_heat_wave(iv, p));
    } else if (a == "pv_share" || a == "ev_share") {
      if (!p.has("share")) p.error("share", "missing: the share of buildings equipped, 0 to 1");
      p.number("share", 0, 0, 1);
    } else if (a == "substation_outage" || a == "line_outage") {
      if (!params_.grid) {
        p.error("action", a + " needs the grid (models.energy.grid = true)");
      } else if (a == "substation_outage") {
        const int count = params_.grid_params.substations;
        const int idx = iv.target.size() > 1 && iv.target[0] == 'S' ? std::atoi(iv.target.c_str() + 1) : 0;
        if (idx < 1 || idx > count)
          p.error("target", "unknown substation \"" + iv.target + "\" (S1..S" + std::to_string(count) + ")");
      } else if (!is_line_id(iv.target)) {
        p.error("target", "unknown line \"" + iv.target + "\" (a line ID of grid.lines, e.g. L1 or T1)");
      }
    } else {
      p.error("action", "unknown action \"" + a + "\" (energy: heat_wave, pv_share, ev_share, substation_outage, line_outage)");
      return;
    }
    p.finish();
  }

  bool is_line_id(const std::string& id) const {
    return std::find(prep_->grid.branch_ids.begin(), prep_->grid.branch_ids.end(), id) != prep_->grid.branch_ids.end();
  }

  void setup_grid(RunContext& ctx) {
    active_ = prep_->grid.grid;
    pf_workspace_ = PowerFlowWorkspace{};  // tied to the network it was built for
    flow_ = std::make_unique<PowerFlow>(active_);
    const size_t nb = prep_->grid.grid.branches.size();
    ctx.recorder.add_set(prep_->lines);
    layer_loading_ = ctx.recorder.add_layer("energy.line_loading", "grid.lines", "1",
                                            "loading of each 20 kV cable and 110/20 kV transformer (1 = rating)");
    series_losses_ = ctx.recorder.add_series("energy.grid_losses", "W");
    loading_.assign(nb, 0.0);
    energized_.assign(prep_->stock.size(), 1.0);
    energized_signal_ = ctx.exchange.declare(signals::kBuildingEnergized, prep_->stock.size(), 1.0);
    bus_p_.assign(prep_->grid.grid.buses.size(), 0.0);
    bus_q_.assign(prep_->grid.grid.buses.size(), 0.0);
    ctx.log.info("energy: generated grid with " + std::to_string(prep_->grid.grid.buses.size()) + " buses, " +
                 std::to_string(nb) + " branches, " + std::to_string(prep_->grid.substation_bus.size()) + " substations");
  }

  /// Rebuilds the network when the set of outages in force changes.
  void update_topology(double t_s) {
    std::vector<std::string> now;
    for (const auto& o : outages_)
      if (t_s < o.until_s) now.push_back(o.target);
    std::sort(now.begin(), now.end());
    if (now == outages_in_force_) return;
    outages_in_force_ = now;
    active_ = prep_->grid.grid;
    for (const auto& id : now) {
      if (id[0] == 'S') {
        const int sub = std::atoi(id.c_str() + 1) - 1;
        for (auto& gen : active_.generators)
          if (gen.bus == prep_->grid.substation_bus[sub]) gen.in_service = false;
        active_.branches[sub].in_service = false;
      } else {
        auto it = std::find(prep_->grid.branch_ids.begin(), prep_->grid.branch_ids.end(), id);
        if (it == prep_->grid.branch_ids.end())
          throw InputError("energy.line_outage: unknown line \"" + id + "\" in the generated grid");
        active_.branches[it - prep_->grid.branch_ids.begin()].in_service = false;
      }
    }
    pf_workspace_ = PowerFlowWorkspace{};  // tied to the network it was built for
    flow_ = std::make_unique<PowerFlow>(active_);
  }

  void grid_step(double t0_s, double span) {
    update_topology(t0_s);
    // Power factor 0.95 inductive for consumption; PV export at unity power factor.
    const double tan_phi = std::tan(std::acos(0.95));
    std::fill(bus_p_.begin(), bus_p_.end(), 0.0);
    std::fill(bus_q_.begin(), bus_q_.end(), 0.0);
    for (size_t i = 0; i < demand_.size(); ++i) {
      bus_p_[prep_->grid.building_bus[i]] += demand_[i];
      bus_q_[prep_->grid.building_bus[i]] += std::max(demand_[i], 0.0) * tan_phi;
    }
    PowerFlowOptions opt;
    PowerFlowResult r = flow_->solve(opt, bus_p_, bus_q_, &pf_workspace_);
    auto energized = ctx_->exchange.write(energized_signal_);
    for (size_t i = 0; i < demand_.size(); ++i) {
      energized_[i] = r.energized[prep_->grid.building_bus[i]] ? 1.0 : 0.0;
      energized[i] = energized_[i];
      if (!energized_[i]) unserved_j_ += std::max(demand_[i], 0.0) * span;
    }
    if (!r.converged && r.islanded_buses.size() < active_.buses.size()) {
      ++failures_;
      ctx_->log.warn("energy: power flow at t = " + std::to_string(t0_s) + " s: " + r.message);
      std::fill(loading_.begin(), loading_.end(), std::numeric_limits<double>::quiet_NaN());
      last_losses_w_ = 0;
      return;
    }
    const size_t k = prep_->grid.substation_bus.size();
    for (size_t b = 0; b < loading_.size(); ++b) {
      const double s = std::max(std::hypot(r.p_from_w[b], r.q_from_var[b]), std::hypot(r.p_to_w[b], r.q_to_var[b]));
      loading_[b] = s / active_.branches[b].rate_a_va;
      if (b < k) {
        max_trafo_loading_ = std::max(max_trafo_loading_, loading_[b]);
        if (loading_[b] > 1) trafo_overload_s_ += span;
      } else {
        max_line_loading_ = std::max(max_line_loading_, loading_[b]);
        if (loading_[b] > 1) overload_s_ += span;
      }
    }
    for (size_t bus = k; bus < active_.buses.size(); ++bus)
      if (r.energized[bus] && (r.vm_pu[bus] < 0.95 || r.vm_pu[bus] > 1.05)) violation_s_ += span;
    last_losses_w_ = r.losses_w;
    losses_j_ += r.losses_w * span;
  }

  EnergyParams params_;
  RunContext* ctx_ = nullptr;
  const EnergyPrepared* prep_ = nullptr;
  EvFleet fleet_;
  StockState state_;
  std::vector<StockStepInputs> step_inputs_;
  StockTotals stock_totals_;
  double equipped_share_ = -1, equipped_area_m2_ = 0;  // PV: the share the area was summed for
  bool use_arrivals_ = false;
  std::optional<Exchange::SignalId> feed_temperature_, feed_meters_;
  HourlyFactors::ByIndex multipliers_;  ///< by building index
  double measured_outdoor_c_ = NAN;  ///< a driving feed's air temperature over this interval (NaN = none)
  Exchange::SignalId arrivals_signal_ = 0;
  std::vector<double> ev_pending_j_;
  std::vector<double> pv_rank_, pv_area_;
  std::vector<double> demand_, pv_w_, ev_w_, interval_energy_, interval_pv_, interval_ev_, ev_step_;
  double pv_share_ = 0, ev_share_ = 0;
  std::vector<HeatWave> heat_waves_;
  std::unordered_map<const Intervention*, HeatWave> heat_wave_of_;  ///< parsed in setup, by entry
  Exchange::SignalId signal_ = 0;
  Recorder::LayerId layer_demand_ = 0, layer_temp_ = 0, layer_pv_ = 0;
  Recorder::SeriesId series_load_ = 0, series_pv_ = 0, series_ev_ = 0, series_heat_ = 0, series_cool_ = 0, series_out_ = 0;
  double interval_heat_ = 0, interval_cool_ = 0, interval_span_ = 0, last_outdoor_c_ = 0;
  double peak_w_ = -1e300, peak_t_ = 0, energy_j_ = 0, pv_j_ = 0, ev_j_ = 0, heat_j_ = 0, cool_j_ = 0;
  // Grid (static generated network, the network with outages applied, and per-run results).
  GridCase active_;
  std::unique_ptr<PowerFlow> flow_;
  PowerFlowWorkspace pf_workspace_;
  std::vector<Outage> outages_;
  std::vector<std::string> outages_in_force_;
  std::vector<double> loading_, energized_, bus_p_, bus_q_;
  Exchange::SignalId energized_signal_ = 0;
  Recorder::LayerId layer_loading_ = 0;
  Recorder::SeriesId series_losses_ = 0;
  double losses_j_ = 0, last_losses_w_ = 0, max_line_loading_ = 0, max_trafo_loading_ = 0, overload_s_ = 0,
         trafo_overload_s_ = 0, violation_s_ = 0, unserved_j_ = 0;
  int failures_ = 0;
};

}  // namespace

void register_energy_model(ModelRegistry& registry) {
  registry.add("energy", "hourly building heating, cooling and electricity, rooftop PV and EV charging",
               [](citytwin::Params& p) {
                 EnergyParams e;
                 e.weather_path = p.path("weather", "an EnergyPlus weather file");
                 if (!p.has("weather")) p.error("weather", "required: an EnergyPlus weather file (.epw)");
                 e.temperature_file = p.path("temperature_file", "hourly air temperatures");
                 e.temperature_offset_c = p.number("temperature_offset_c", 0, -30, 30);
                 e.pv_share = p.number("pv_share", 0, 0, 1);
                 e.ev_share = p.number("ev_share", 0, 0, 1);
                 e.ev.charger_kw = p.number("charger_kw", 7.4, 1, 350);
                 e.pv.tilt_deg = p.number("pv_tilt_deg", 10, 0, 90);
                 e.pv.azimuth_deg = p.number("pv_azimuth_deg", 0, -180, 180);
                 e.pv.efficiency = p.number("pv_efficiency", 0.20, 0.01, 0.5);
                 e.max_step_s = p.duration_s("step", 3600, 60, 3600);
                 e.grid = p.boolean("grid", true);
                 e.grid_params.substations = static_cast<int>(p.integer("substations", 2, 1, 50));
                 e.building_multipliers = HourlyFactors::read(p, "building_demand_multipliers");
                 return std::make_unique<EnergyModel>(e);
               });
}

}  // namespace citytwin::energy
