#include "engine/sim/feed_player.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

#include "engine/data/feed_cache.hpp"
#include "engine/data/sensor_placement.hpp"
#include "engine/data/validation_metrics.hpp"

namespace citytwin {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Throws InputError when the quantity needs an element of a type (a tank) the placed element is not.
void check_element_type(const Sensor& sensor, const ElementSet& set, size_t element) {
  const std::string& wanted = sensor.quantity->element_type;
  if (wanted.empty()) return;
  for (const auto& a : set.attributes)
    if (a.name == "type" && element < a.texts.size() && a.texts[element] != wanted)
      throw InputError(sensor.where, "sensor \"" + sensor.id + "\" measures " + sensor.quantity->name + ", and " + set.name + " " +
                                         set.ids[element] + " is a " + a.texts[element] + ", not a " + wanted);
}

}  // namespace

struct FeedPlayer::FeedRun {
  const FeedConfig* cfg = nullptr;
  std::unique_ptr<ObservationSource> reader;  ///< the feed's files or their observation cache
  std::unique_ptr<FeedStream> stream;
  std::vector<long> trace_of;  ///< per registry sensor: index in traces_, -1 when not carried
  std::vector<long> drive_of;  ///< per registry sensor: index in drives, -1 when it does not drive
  std::vector<std::deque<std::pair<std::int64_t, double>>> window;  ///< per registry sensor
  struct Drive {
    size_t sensor;
    Exchange::SignalId signal;
    size_t element;
    size_t trace;
  };
  std::vector<Drive> drives;
  std::vector<double> applied;   ///< per drive: the value applied over the interval from last_drive_s
  std::vector<double> previous;  ///< per drive: the value applied over the interval before
  double last_drive_s = -1;
  std::int64_t now = INT64_MIN;  ///< the latest time asked for: older observations can go
  std::int64_t start = 0, end = 0;  ///< the scenario's period
  std::int64_t first = INT64_MAX, last = INT64_MIN;
  std::uint64_t in_period = 0;

  /// Takes every observation up to `until` into the windows.
  void pull(std::int64_t until) {
    Observation o;
    while (true) {
      auto t = stream->peek_time();
      if (!t || *t > until) break;
      stream->next(o);
      first = std::min(first, o.time_s);
      last = std::max(last, o.time_s);
      if (o.time_s >= start && o.time_s <= end) ++in_period;
      if (trace_of[o.sensor] < 0) continue;
      auto& w = window[o.sensor];
      w.emplace_back(o.time_s, o.value);
      while (w.size() >= 2 && w[1].first <= now) w.pop_front();
    }
  }
};

FeedPlayer::FeedPlayer(const Scenario& scenario, const City& city, Exchange& exchange, Log& log)
    : scenario_(scenario), city_(city), exchange_(exchange), log_(log) {}

FeedPlayer::~FeedPlayer() = default;

std::vector<std::string> FeedPlayer::signals() const { return declared_; }

void FeedPlayer::setup(const Recorder& recorder) {
  SensorPlacer placer(LocalFrame{city_.crs, city_.origin});
  const std::int64_t start = scenario_.start_unix_s;
  const std::int64_t end = start + static_cast<std::int64_t>(std::ceil(scenario_.duration_s));
  for (const auto& cfg : scenario_.feeds) {
    auto f = std::make_unique<FeedRun>();
    f->cfg = &cfg;
    const auto& reg = *cfg.registry;
    f->trace_of.assign(reg.sensors.size(), -1);
    f->drive_of.assign(reg.sensors.size(), -1);
    f->start = start;
    f->end = end;
    f->window.resize(reg.sensors.size());
    for (size_t s : cfg.sensors) {
      const Sensor& sensor = reg.sensors[s];
      const QuantityInfo& q = *sensor.quantity;
      const ElementSet* set = q.set.empty() ? nullptr : recorder.find_set(q.set);
      if (!q.set.empty() && !set)
        throw InputError(sensor.where, "sensor \"" + sensor.id + "\" measures " + q.name + " on " + q.set +
                                           ", which no model of this run has (enable the model in [models])");
      SensorTrace tr;
      tr.id = sensor.id;
      tr.quantity = q.name;
      tr.unit = q.unit;
      tr.feed = cfg.name;
      tr.role = to_string(cfg.role);
      tr.simulated_from = q.layer.empty() ? q.series : q.layer;
      const bool simulated = q.layer.empty() ? recorder.has_series(q.series) : recorder.has_layer(q.layer);
      if (!simulated && cfg.role == FeedRole::compare)
        throw InputError(sensor.where, "sensor \"" + sensor.id + "\": nothing in this run computes " + q.name + " (" +
                                           tr.simulated_from + "): enable the model that does, or drop the sensor");
      const Placement pl = placer.place(sensor, set, cfg.max_snap_m);
      if (set) check_element_type(sensor, *set, static_cast<size_t>(pl.element));
      if (set) {
        tr.set = set->name;
        tr.element = set->ids[static_cast<size_t>(pl.element)];
      }
      tr.position = pl.position;
      tr.snap_m = pl.snap_m;
      if (sensor.element.empty() && set)
        log_.info("sensor " + sensor.id + " snapped to " + tr.set + " " + tr.element + " at " +
                  std::to_string(static_cast<int>(std::lround(pl.snap_m))) + " m");
      f->trace_of[s] = static_cast<long>(traces_.size());
      if (cfg.role == FeedRole::drive) {
        const std::string name = drive_signal(q.name);
        if (!exchange_.has(name)) {
          exchange_.declare(name, set ? set->size() : 1, kNaN);
          declared_.push_back(name);
        }
        const size_t element = set ? static_cast<size_t>(pl.element) : 0;
        const Exchange::SignalId signal = exchange_.id(name);
        check_one_driver(sensor, signal, element, *f);
        f->drives.push_back({s, signal, element, traces_.size()});
        f->drive_of[s] = static_cast<long>(f->drives.size() - 1);
      }
      traces_.push_back(std::move(tr));
    }
    f->applied.assign(f->drives.size(), kNaN);
    f->previous.assign(f->drives.size(), kNaN);
    f->reader = open_feed(cfg.spec, reg, FeedCacheOptions::from_environment(), log_);
    f->stream = std::make_unique<FeedStream>(*f->reader, reg.sensors.size(), cfg.lateness_s, cfg.mapping);
    const auto first = f->stream->peek_time();
    const std::string file = cfg.spec.files.front();
    if (!first) throw InputError({file, 0, cfg.name}, "the feed has no observations");
    const bool skippable = cfg.may_miss_period && cfg.role == FeedRole::compare;
    auto outside = [&](const std::string& what) {
      if (!skippable) throw InputError({file, 0, cfg.name}, what + " (map it with replay_from or offset)");
      log_.warn("feed " + cfg.name + " left out of this run: " + what);
    };
    if (*first > end) {
      outside("the feed starts at " + format_clock(*first, scenario_.timezone) + ", after the scenario's period ends");
      continue;
    }
    f->now = start;
    f->pull(start);
    if (!f->stream->peek_time() && f->last < start) {
      outside("the feed ends at " + format_clock(f->last, scenario_.timezone) + ", before the scenario's period starts");
      continue;
    }
    feeds_.push_back(std::move(f));
  }
}

void FeedPlayer::check_one_driver(const Sensor& sensor, Exchange::SignalId signal, size_t element, const FeedRun& current) const {
  auto check = [&](const FeedRun& run) {
    for (const auto& d : run.drives)
      if (d.signal == signal && d.element == element)
        throw InputError(sensor.where, "sensor \"" + sensor.id + "\" drives the same element as sensor \"" +
                                           run.cfg->registry->sensors[d.sensor].id + "\"");
  };
  for (const auto& other : feeds_) check(*other);
  check(current);
}

double FeedPlayer::value_at(FeedRun& f, size_t sensor, std::int64_t t) {
  const FeedConfig& cfg = *f.cfg;
  f.now = std::max(f.now, t);
  const auto ahead = static_cast<std::int64_t>(cfg.gaps == GapPolicy::interpolate ? cfg.max_gap_s : 0);
  f.pull(t + ahead);
  auto& w = f.window[sensor];
  while (w.size() >= 2 && w[1].first <= t) w.pop_front();
  if (w.empty() || w[0].first > t) {
    return kNaN;
  }
  const auto [t0, v0] = w[0];
  if (t0 == t) return v0;
  switch (cfg.gaps) {
    case GapPolicy::missing: return kNaN;
    case GapPolicy::hold: return static_cast<double>(t - t0) <= cfg.max_gap_s ? v0 : kNaN;
    case GapPolicy::interpolate: {
      if (w.size() < 2) return kNaN;
      const auto [t1, v1] = w[1];
      if (static_cast<double>(t1 - t0) > cfg.max_gap_s) return kNaN;
      return v0 + (v1 - v0) * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
    }
  }
  return kNaN;
}

double FeedPlayer::measured_at(FeedRun& f, size_t sensor, const SensorTrace& trace, std::int64_t t) {
  if (!f.cfg->registry->sensors[sensor].quantity->labelled_by_start) return value_at(f, sensor, t);
  const size_t n = trace.times_s.size();  // this step's time already in
  if (n < 2) return kNaN;
  return value_at(f, sensor, scenario_.start_unix_s + static_cast<std::int64_t>(std::llround(trace.times_s[n - 2])));
}

void FeedPlayer::drive(double t_s) {
  const auto t = scenario_.start_unix_s + static_cast<std::int64_t>(std::llround(t_s));
  for (auto& f : feeds_) {
    f->previous = f->applied;
    f->last_drive_s = t_s;
    for (size_t i = 0; i < f->drives.size(); ++i) {
      const auto& d = f->drives[i];
      const double v = value_at(*f, d.sensor, t);
      exchange_.write(d.signal)[d.element] = v;
      f->applied[i] = v;
    }
  }
}

void FeedPlayer::record(double t_s) {
  const auto t = scenario_.start_unix_s + static_cast<std::int64_t>(std::llround(t_s));
  for (auto& f : feeds_)
    for (size_t s = 0; s < f->trace_of.size(); ++s) {
      const long k = f->trace_of[s];
      if (k < 0) continue;
      auto& tr = traces_[static_cast<size_t>(k)];
      tr.times_s.push_back(t_s);
      const long d = f->drive_of[s];
      if (d < 0) {
        tr.measured.push_back(measured_at(*f, s, tr, t));
        continue;
      }
      // The value applied over the interval that ends here (none at the start); drive() may already have
      // set the next interval's.
      const double v = f->last_drive_s == t_s ? f->previous[static_cast<size_t>(d)] : f->applied[static_cast<size_t>(d)];
      tr.measured.push_back(t_s > 0 ? v : kNaN);
    }
}

namespace {

/// The simulated value of a trace's element at each of its times.
void fill_simulated(SensorTrace& tr, const Results& r) {
  tr.simulated.assign(tr.times_s.size(), kNaN);
  if (const Layer* layer = r.find_layer(tr.simulated_from)) {
    const ElementSet* set = r.find_set(layer->set);
    if (!set) return;
    const auto it = std::find(set->ids.begin(), set->ids.end(), tr.element);
    if (it == set->ids.end()) return;
    const size_t e = static_cast<size_t>(it - set->ids.begin());
    for (size_t k = 0; k < tr.times_s.size(); ++k) {
      const auto row = std::lower_bound(layer->times_s.begin(), layer->times_s.end(), tr.times_s[k]);
      if (row == layer->times_s.end() || *row != tr.times_s[k]) continue;
      tr.simulated[k] = layer->row(static_cast<size_t>(row - layer->times_s.begin()))[e];
    }
    return;
  }
  for (const auto& s : r.series) {
    if (s.name != tr.simulated_from) continue;
    for (size_t k = 0; k < tr.times_s.size(); ++k) {
      const auto row = std::lower_bound(s.times_s.begin(), s.times_s.end(), tr.times_s[k]);
      if (row != s.times_s.end() && *row == tr.times_s[k]) tr.simulated[k] = s.values[static_cast<size_t>(row - s.times_s.begin())];
    }
  }
}

}  // namespace

void FeedPlayer::finish(Results& results) {
  for (const auto& f : feeds_) {
    const std::string p = "feeds." + f->cfg->name + ".";
    const auto& rc = f->reader->counts();
    const auto& sc = f->stream->counts();
    auto kpi = [&](const std::string& name, double v, const std::string& what) {
      results.kpis.push_back({p + name, v, "1", what});
    };
    kpi("observations", static_cast<double>(f->in_period), "observations within the scenario's period");
    kpi("missing_values", static_cast<double>(rc.missing), "empty, NaN or null values read (gaps, never zeros)");
    kpi("duplicates", static_cast<double>(sc.duplicates), "records of a sensor and time seen before (the first kept)");
    kpi("late", static_cast<double>(sc.late), "records older than the lateness window allows (dropped)");
    kpi("bad_quality", static_cast<double>(rc.bad_quality), "records whose quality flag is not a good one (dropped)");
    kpi("unmappable", static_cast<double>(sc.unmappable), "times the scenario's zone skips after mapping (dropped)");
  }
  size_t compared = 0;
  double cv_sum = 0, nmbe_sum = 0;
  size_t cv_n = 0;
  for (auto& tr : traces_) {
    fill_simulated(tr, results);
    if (tr.role != "compare") continue;
    ++compared;
    const FitMetrics m = fit_metrics(tr.measured, tr.simulated, tr.quantity == "traffic.flow");
    if (std::isfinite(m.cvrmse_pct)) cv_sum += m.cvrmse_pct, nmbe_sum += std::abs(m.nmbe_pct), ++cv_n;
  }
  if (!traces_.empty()) {
    results.kpis.push_back({"validation.sensors", static_cast<double>(compared), "1", "sensors compared with the simulation"});
    if (cv_n) {
      results.kpis.push_back({"validation.mean_cvrmse_pct", cv_sum / cv_n, "%", "mean CV(RMSE) over compared sensors (ASHRAE Guideline 14)"});
      results.kpis.push_back({"validation.mean_abs_nmbe_pct", nmbe_sum / cv_n, "%", "mean |NMBE| over compared sensors (ASHRAE Guideline 14)"});
    }
  }
  results.sensors = std::move(traces_);
  traces_.clear();
}

}  // namespace citytwin
