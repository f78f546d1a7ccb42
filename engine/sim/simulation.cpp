#include "engine/sim/simulation.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "engine/core/progress.hpp"
#include "engine/core/time.hpp"
#include "engine/sim/feed_player.hpp"

namespace citytwin {

ElementSet buildings_set(const City& city) {
  ElementSet s;
  s.name = "buildings";
  s.kind = GeometryKind::polygon;
  Attribute height{"height_m", {}, {}}, floor{"floor_area_m2", {}, {}}, levels{"levels", {}, {}};
  Attribute use{"use", {}, {}}, source{"height_source", {}, {}};
  for (const auto& b : city.buildings) {
    s.ids.push_back(b.id);
    s.polygons.push_back(b.footprint);
    s.heights_m.push_back(b.height_m);
    height.numbers.push_back(b.height_m);
    floor.numbers.push_back(b.floor_area_m2);
    levels.numbers.push_back(b.levels);
    use.texts.push_back(to_string(b.use));
    source.texts.push_back(to_string(b.height_source));
  }
  s.attributes = {std::move(use), std::move(height), std::move(levels), std::move(floor), std::move(source)};
  return s;
}

ElementSet roads_set(const City& city) {
  ElementSet s;
  s.name = "roads";
  s.kind = GeometryKind::line;
  Attribute lanes{"lanes", {}, {}}, speed{"speed_limit_kmh", {}, {}}, length{"length_m", {}, {}};
  Attribute cls{"road_class", {}, {}}, name{"name", {}, {}};
  for (const auto& e : city.roads.edges) {
    s.ids.push_back(e.id);
    s.lines.push_back(e.shape);
    lanes.numbers.push_back(e.lanes);
    speed.numbers.push_back(e.speed_mps * 3.6);
    length.numbers.push_back(e.length_m);
    cls.texts.push_back(to_string(e.road_class));
    name.texts.push_back(e.name);
  }
  s.attributes = {std::move(cls), std::move(name), std::move(lanes), std::move(speed), std::move(length)};
  return s;
}

namespace {

/// Every intervention checked by its model; all problems of all of them reported at once.
void check_interventions(const std::vector<std::unique_ptr<Model>>& models, const Scenario& scenario) {
  ErrorList errors;
  for (const auto& iv : scenario.interventions) {
    Params p = Params::of(iv, errors);
    for (const auto& m : models) {
      if (m->name() != iv.model) continue;
      try {
        m->check_intervention(iv, p);
      } catch (const InputError& e) {
        errors.add(e.what());
      }
    }
  }
  errors.throw_if_any();
}

/// Says which local time the models take their time of day in.
void log_local_time(const Scenario& scenario, Log& log) {
  const auto& zone = scenario.timezone;
  const auto start = scenario.start_unix_s;
  const int offset_min = zone.utc_offset_s(start) / 60;
  char offset[16];
  std::snprintf(offset, sizeof offset, "%+03d:%02d", offset_min / 60, std::abs(offset_min % 60));
  std::string line = "local time: " + zone.name() + " (" + zone.abbreviation(start) + ", UTC" + offset + "), start " +
                     format_datetime(start + zone.utc_offset_s(start)) + " local";
  if (!scenario.timezone_given) line += "; the scenario gives no [period] timezone, so UTC is used";
  log.info(line);
}

/// Checks the declared Exchange access before setup: one writer per signal, and every signal a model
/// needs written by some model of this run.
void check_access(const Scenario& scenario, const std::vector<std::unique_ptr<Model>>& models) {
  std::map<std::string, std::string> writer;
  for (const auto& m : models)
    for (const auto& s : m->signals().writes) {
      auto [it, inserted] = writer.emplace(s, m->name());
      if (!inserted)
        throw std::logic_error("signal " + s + " written by both " + it->second + " and " + m->name());
    }
  for (const auto& m : models)
    for (const auto& s : m->signals().reads)
      if (!writer.count(s)) {
        auto section = scenario.models.find(m->name());
        SourceLocation where = section != scenario.models.end() ? section->second.where : SourceLocation{scenario.file, 0, {}};
        where.element = "models." + m->name();
        throw InputError(where, m->name() + " reads the signal " + s + ", which no model of this run writes");
      }
}

/// After setup: each model declared what it said it writes, and nothing else was declared (but the feeds').
void check_declared(const std::vector<std::unique_ptr<Model>>& models, const Exchange& exchange,
                    const std::vector<std::string>& feed_signals) {
  std::set<std::string> written(feed_signals.begin(), feed_signals.end());
  for (const auto& m : models)
    for (const auto& s : m->signals().writes) {
      if (!exchange.has(s)) throw std::logic_error(m->name() + " lists " + s + " in its writes but did not declare it");
      written.insert(s);
    }
  for (size_t i = 0; i < exchange.count(); ++i)
    if (!written.count(exchange.name(i)))
      throw std::logic_error("signal " + exchange.name(i) + " declared by a model that does not list it in its writes");
}

void check_intervention_models(const Scenario& scenario, const std::vector<std::unique_ptr<Model>>& models) {
  std::set<std::string> names;
  for (const auto& m : models) names.insert(m->name());
  for (const auto& iv : scenario.interventions)
    if (!names.count(iv.model)) throw InputError(iv.where, "model \"" + iv.model + "\" is not part of this run");
}

/// Prepares, sets up and steps the models, in the calling thread's arena (run_simulation's).
Results run_models(const Scenario& scenario, const City& city, std::vector<std::unique_ptr<Model>>& models,
                   const RunOptions& options, Log& log, int threads) {
  PreparedCache local_cache;
  PreparedCache& cache = options.prepared ? *options.prepared : local_cache;
  std::vector<std::shared_ptr<const PreparedData>> prepared;
  for (const auto& m : models) prepared.push_back(cache.get(*m, city));

  Exchange exchange;
  Recorder recorder;
  recorder.add_set(buildings_set(city));
  recorder.add_set(roads_set(city));
  std::vector<RunContext> contexts;
  contexts.reserve(models.size());
  for (size_t i = 0; i < models.size(); ++i)
    contexts.push_back(RunContext{city, scenario, exchange, recorder, log, prepared[i].get(), threads});
  // Each model builds its state, declares its signals, sets and layers and checks its interventions; then
  // each looks up what it reads, so the order of setup does not matter.
  for (size_t i = 0; i < models.size(); ++i) models[i]->setup(contexts[i]);
  // Feeds place their sensors on the models' elements and declare what they drive, which the models
  // look up in connect().
  FeedPlayer feeds(scenario, city, exchange, log);
  feeds.setup(recorder);
  for (size_t i = 0; i < models.size(); ++i) models[i]->connect(contexts[i]);
  check_declared(models, exchange, feeds.signals());
  check_interventions(models, scenario);

  const long steps = static_cast<long>(std::ceil(scenario.duration_s / scenario.step_s - 1e-9));
  log.info("run " + scenario.name + ": " + std::to_string(models.size()) + " models, " + std::to_string(steps) +
           " steps of " + std::to_string(scenario.step_s) + " s from " + format_datetime(scenario.start_unix_s) +
           " UTC, " + std::to_string(threads) + " threads");
  log_local_time(scenario, log);
  Progress progress("run " + scenario.name, static_cast<double>(steps), options.show_progress);

  feeds.drive(0.0);
  for (const auto& s : feeds.signals()) exchange.publish(exchange.id(s));
  for (auto& m : models) m->record(0.0);
  if (scenario.outputs.sensors) feeds.record(0.0);
  size_t next_iv = 0;
  auto model_named = [&](const std::string& n) -> Model& {
    for (auto& m : models)
      if (m->name() == n) return *m;
    throw std::logic_error("no model " + n);
  };
  for (long k = 0; k < steps; ++k) {
    const double t0 = k * scenario.step_s;
    const double t1 = std::min(scenario.duration_s, (k + 1) * scenario.step_s);
    // Interventions due in [t0, t1) take effect at the start of the interval, in file order.
    while (next_iv < scenario.interventions.size() && scenario.interventions[next_iv].at_s < t1 - 1e-9) {
      const auto& iv = scenario.interventions[next_iv++];
      model_named(iv.model).apply(iv, t0);
      log.info(format_clock(scenario.start_unix_s + static_cast<std::int64_t>(t0), scenario.timezone) + " " + iv.model +
               "." + iv.action + (iv.target.empty() ? "" : " " + iv.target));
    }
    // Models are independent within an interval (they see the Exchange as of t0): run them concurrently.
    tbb::task_group group;
    for (auto& m : models) group.run([&m, t0, t1] { m->advance(t0, t1); });
    group.wait();
    if (k + 1 < steps) feeds.drive(t1);
    exchange.sync();
    for (auto& m : models) m->record(t1);
    if (scenario.outputs.sensors) feeds.record(t1);
    progress.update(static_cast<double>(k + 1), format_clock(scenario.start_unix_s + static_cast<std::int64_t>(t1), scenario.timezone));
  }
  progress.finish();
  for (auto& m : models) m->finish();
  Results results = recorder.take();
  feeds.finish(results);
  if (!scenario.outputs.sensors) results.sensors.clear();
  return results;
}

}  // namespace

int run_threads(const Scenario& scenario, const RunOptions& options) {
  const int threads = options.threads > 0 ? options.threads : scenario.threads;
  return threads > 0 ? threads : tbb::task_arena(tbb::task_arena::automatic).max_concurrency();
}

Results run_simulation(const Scenario& scenario, const City& city, const ModelRegistry& registry,
                       const RunOptions& options) {
  Log local_log;
  Log& log = options.log ? *options.log : local_log;
  auto models = registry.create(scenario);
  check_intervention_models(scenario, models);
  check_access(scenario, models);

  // Everything the models do runs in this run's arena, so the thread count reaches every parallel loop.
  const int threads = run_threads(scenario, options);
  tbb::task_arena arena(threads);
  Results results;
  arena.execute([&] { results = run_models(scenario, city, models, options, log, threads); });
  results.info.scenario_name = scenario.name;
  results.info.scenario_file = scenario.file;
  results.info.city_source = city.source;
  results.info.start_unix_s = scenario.start_unix_s;
  results.info.timezone = scenario.timezone.name();
  results.info.duration_s = scenario.duration_s;
  results.info.step_s = scenario.step_s;
  results.info.seed = scenario.seed;
  results.info.crs = city.crs;
  results.info.origin = city.origin;
  log.info("run " + scenario.name + " done: " + std::to_string(results.kpis.size()) + " KPIs, " +
           std::to_string(results.layers.size()) + " layers");
  return results;
}

}  // namespace citytwin
