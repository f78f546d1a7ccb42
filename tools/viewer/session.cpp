#include "tools/viewer/session.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engine/core/atomic_write.hpp"
#include "engine/core/error.hpp"
#include "engine/core/time.hpp"
#include "engine/data/results_io.hpp"

namespace citytwin::viewer {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

const char* to_string(ViewMode mode) {
  switch (mode) {
    case ViewMode::a:
      return "a";
    case ViewMode::b:
      return "b";
    case ViewMode::difference:
      return "difference";
    case ViewMode::side_by_side:
      return "side-by-side";
  }
  return "a";
}

std::optional<ViewMode> view_mode_from(const std::string& name) {
  for (ViewMode m : {ViewMode::a, ViewMode::b, ViewMode::difference, ViewMode::side_by_side})
    if (name == to_string(m)) return m;
  return std::nullopt;
}

Session::Session(std::string citytwin_exe, std::string work_dir) : exe_(std::move(citytwin_exe)) {
  if (work_dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "citytwin-view-XXXXXX").string();
    if (!mkdtemp(tmpl.data()))
      throw std::runtime_error("cannot make a temporary folder in " + fs::temp_directory_path().string());
    work_dir_ = tmpl;
    own_work_dir_ = true;
  } else {
    work_dir_ = work_dir;
    fs::create_directories(work_dir_);
  }
}

Session::~Session() {
  job_.reset();
  selection_.reset();
  if (own_work_dir_) {
    std::error_code ec;
    fs::remove_all(work_dir_, ec);
  }
}

void Session::info(const std::string& text) {
  messages_.push_back({false, text});
  if (messages_.size() > 200) messages_.erase(messages_.begin());
}

void Session::error(const std::string& text) {
  messages_.push_back({true, text});
  if (messages_.size() > 200) messages_.erase(messages_.begin());
}

std::unique_ptr<Run> Session::load_run(const std::string& results_dir, const std::string& source,
                                       const std::string& scenario) {
  auto run = std::make_unique<Run>();
  run->source = source;
  run->results = load_results(results_dir);
  const fs::path copy = fs::path(results_dir) / "scenario.toml";
  std::error_code ec;
  if (!scenario.empty()) {
    run->scenario_file = scenario;
    run->scenario_text = read_text(scenario);
  } else if (fs::is_regular_file(run->results.info.scenario_file, ec)) {
    run->scenario_file = run->results.info.scenario_file;
    run->scenario_text = read_text(run->scenario_file);
  } else if (fs::is_regular_file(copy, ec)) {
    // The run's own copy: relative paths in it are resolved against the results folder.
    run->scenario_file = copy.string();
    run->scenario_text = read_text(copy);
  }
  run->scene = std::make_unique<render::CityScene>(run->results);
  for (const auto& set : hidden_) run->scene->set_visible(set, false);
  if (const Table* table = run->results.find_table(render::kVehicleTable)) {
    try {
      run->vehicles = std::make_unique<render::Vehicles>(*table);
      run->scene->root()->addChild(run->vehicles->node());
      if (!visible("vehicles")) run->vehicles->node()->setNodeMask(0);
    } catch (const std::exception& e) {
      // The rest of the run is fine: show it without vehicles.
      error(std::string("vehicles not shown: ") + e.what());
    }
  }
  if (!run->results.sensors.empty()) {
    for (const auto& t : run->results.sensors)
      run->sensor_metrics.push_back(fit_metrics(t.measured, t.simulated, t.quantity == "traffic.flow"));
    run->sensors = std::make_unique<render::SensorMarkers>(run->results, *run->scene);
    run->scene->root()->addChild(run->sensors->node());
    if (!visible("sensors")) run->sensors->node()->setNodeMask(0);
    for (const auto& id : run->sensors->unplaced())
      error("sensor " + id + " not shown: its element is not in the results");
  }
  if (!run->scenario_text.empty()) {
    try {
      run->closures = scenario_closures(run->scenario_text, run->scenario_file);
    } catch (const std::exception& e) {
      error("closures not shown: " + std::string(e.what()));
    }
  }
  return run;
}

void Session::open(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    try {
      a_ = load_run(path, path);
      b_.reset();
      selection_.reset();
      sensor_id_.clear();
      apply_sensor_marks();
      view_ = ViewMode::a;
      time_s_ = 0;
      ++generation_;
      pick_default_layer();
      info("opened " + path + ": " + a_->results.info.scenario_name + ", " +
           std::to_string(a_->results.layers.size()) + " layers");
    } catch (const std::exception& e) {
      error(std::string("cannot open ") + path + ": " + e.what());
    }
  } else if (fs::is_regular_file(path, ec)) {
    start_job(path, false);
  } else {
    error(path + ": no such scenario file or results directory");
  }
}

void Session::start_job(const std::string& scenario, bool as_b) {
  if (job_) {
    error("a run is in progress: wait for it before starting another");
    return;
  }
  const std::string out = (fs::path(work_dir_) / ("run-" + std::to_string(++job_count_))).string();
  try {
    job_ = std::make_unique<RunJob>(exe_, scenario, out);
    job_is_b_ = as_b;
    job_source_ = scenario;
    info("running " + scenario + (as_b ? " as B" : ""));
  } catch (const std::exception& e) {
    error(e.what());
  }
}

void Session::poll() {
  if (!job_ || !job_->done()) return;
  std::unique_ptr<RunJob> job = std::move(job_);
  if (!job->ok()) {
    error("run of " + job->scenario() + " failed: " + job->status());
    return;
  }
  try {
    auto run = load_run(job->out_dir(), job_source_, job_source_);
    if (job_is_b_) {
      b_ = std::move(run);
      if (view_ != ViewMode::difference) min_.reset(), max_.reset();
      view_ = ViewMode::difference;
      info("what-if B ready: " + b_->results.info.scenario_name);
    } else {
      a_ = std::move(run);
      b_.reset();
      view_ = ViewMode::a;
      time_s_ = 0;
      pick_default_layer();
      info("opened " + job_source_ + ": " + a_->results.info.scenario_name + ", " +
           std::to_string(a_->results.layers.size()) + " layers");
    }
    selection_.reset();
    sensor_id_.clear();
    apply_sensor_marks();
    ++generation_;
  } catch (const std::exception& e) {
    error("cannot read the results of " + job->scenario() + ": " + e.what());
  }
}

std::vector<std::string> Session::layers() const {
  return a_ ? a_->scene->colorable_layers() : std::vector<std::string>{};
}

void Session::pick_default_layer() {
  if (!a_) return;
  if (!layer_.empty() && (a_->results.find_layer(layer_) || layer_.find('.') != std::string::npos)) {
    const auto all = layers();
    if (std::find(all.begin(), all.end(), layer_) != all.end()) return;
  }
  layer_ = a_->results.layers.empty() ? std::string() : a_->results.layers.front().name;
  min_.reset(), max_.reset();
}

bool Session::set_layer(const std::string& layer) {
  const auto all = layers();
  if (!layer.empty() && std::find(all.begin(), all.end(), layer) == all.end()) {
    std::string known;
    for (const auto& n : all) known += (known.empty() ? "" : ", ") + n;
    error("unknown layer " + layer + " (layers: " + (known.empty() ? "none" : known) + ")");
    return false;
  }
  if (layer != layer_) min_.reset(), max_.reset();
  layer_ = layer;
  return true;
}

bool Session::set_color_map(const std::string& name) {
  if (!name.empty()) {
    const auto names = render::ColorMap::names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      error("unknown colour map " + name);
      return false;
    }
  }
  color_map_ = name;
  return true;
}

void Session::set_range(std::optional<double> min, std::optional<double> max) { min_ = min, max_ = max; }

double Session::duration() const { return a_ ? a_->results.info.duration_s : 0; }

double Session::step() const {
  if (!a_) return 1;
  if (const Layer* l = a_->results.find_layer(layer_); l && l->times_s.size() > 1)
    return l->times_s[1] - l->times_s[0];
  return a_->results.info.step_s > 0 ? a_->results.info.step_s : 60;
}

void Session::set_time(double t_s) { time_s_ = std::clamp(t_s, 0.0, duration()); }

std::string Session::time_text(double t_s) const {
  if (!a_) return "-";
  // Local time in the scenario's zone, as planners read a clock.
  const auto& info = a_->results.info;
  return format_clock(info.start_unix_s + static_cast<std::int64_t>(std::floor(t_s)),
                      TimeZone::find_or_utc(info.timezone));
}

std::optional<double> Session::parse_time(const std::string& text) const {
  if (!a_) return std::nullopt;
  const auto& info = a_->results.info;
  return resolve_time_s(text, info.start_unix_s, TimeZone::find_or_utc(info.timezone));
}

bool Session::set_view(ViewMode mode) {
  if (mode != ViewMode::a && !b_) {
    error(std::string("view ") + to_string(mode) + " needs a what-if B: run one first");
    return false;
  }
  if (mode != view_) ++generation_;
  // A range set for values means nothing for differences (and back): start from the automatic one.
  if ((mode == ViewMode::difference) != (view_ == ViewMode::difference)) min_.reset(), max_.reset();
  view_ = mode;
  return true;
}

void Session::set_visible(const std::string& set, bool visible) {
  std::erase(hidden_, set);
  if (!visible) hidden_.push_back(set);
  for (Run* run : {a_.get(), b_.get()})
    if (run) run->scene->set_visible(set, visible);
  if (set == "vehicles")
    for (Run* run : {a_.get(), b_.get()})
      if (run && run->vehicles) run->vehicles->node()->setNodeMask(visible ? ~0u : 0u);
  if (set == "sensors")
    for (Run* run : {a_.get(), b_.get()})
      if (run && run->sensors) run->sensors->node()->setNodeMask(visible ? ~0u : 0u);
}

bool Session::visible(const std::string& set) const {
  return std::find(hidden_.begin(), hidden_.end(), set) == hidden_.end();
}

const Run* Session::primary_run() const {
  return (view_ == ViewMode::b || view_ == ViewMode::difference) && b_ ? b_.get() : a_.get();
}

render::CityScene* Session::primary_scene() const {
  const Run* r = primary_run();
  return r ? r->scene.get() : nullptr;
}

render::CityScene* Session::secondary_scene() const {
  return view_ == ViewMode::side_by_side && b_ ? b_->scene.get() : nullptr;
}

bool Session::refresh_colors() {
  render::CityScene* primary = primary_scene();
  if (!primary) return false;
  size_t step = 0;
  if (const Layer* l = primary_run()->results.find_layer(layer_)) step = l->time_index(time_s_);
  std::ostringstream key;
  key << generation_ << '|' << layer_ << '|' << color_map_ << '|' << (min_ ? *min_ : NAN) << '|'
      << (max_ ? *max_ : NAN) << '|' << step;
  // The closures of the primary and the side-by-side run drawn closed: their scenes' painted marks change
  // only when the closures that hold (or the scenes) do.
  const std::pair<const Run*, render::CityScene*> shown[] = {{primary_run(), primary},
                                                             {b_.get(), secondary_scene()}};
  std::vector<bool> active;
  for (const auto& [run, scene] : shown)
    if (scene)
      for (const auto& c : run->closures) active.push_back(c.active(time_s_));
  std::pair closed_key{generation_, std::move(active)};
  const bool closures_changed = closed_key_ != closed_key;
  if (closures_changed) {
    closed_key_ = std::move(closed_key);
    for (const auto& [run, scene] : shown) {
      if (!scene) continue;
      std::map<std::string, std::vector<std::string>> closed;  // per set that has closures: those holding
      for (const auto& c : run->closures) {
        auto& ids = closed[c.set];
        if (c.active(time_s_)) ids.push_back(c.id);
      }
      for (const auto& [set, ids] : closed) scene->set_painted(set, ids, render::kClosedColor);
    }
  }
  if (key.str() == applied_key_) return closures_changed;
  applied_key_ = key.str();
  try {
    if (layer_.empty()) {
      primary->clear_colors();
      if (auto* s = secondary_scene()) s->clear_colors();
      legend_ = {};
      return true;
    }
    render::Coloring c{layer_, time_s_, color_map_, min_, max_};
    if (view_ == ViewMode::difference) c.baseline = &a_->results;
    legend_ = primary->color(c);
    if (auto* s = secondary_scene()) {
      // Both sides on A's scale, so that equal colours mean equal values.
      if (!legend_.categorical) c.min = legend_.min, c.max = legend_.max;
      s->color(c);
    }
  } catch (const std::exception& e) {
    error(e.what());
    primary->clear_colors();
    legend_ = {};
  }
  return true;
}

size_t Session::update_vehicles() {
  const std::pair key{generation_, time_s_};
  if (vehicles_key_ == key) return vehicles_shown_;
  vehicles_key_ = key;
  vehicles_shown_ = 0;
  const Run* primary = primary_run();
  if (primary && primary->vehicles) vehicles_shown_ = primary->vehicles->update(time_s_);
  // The other side of a side-by-side view (runs not shown are moved when they are shown again: the view
  // change bumps the generation).
  if (secondary_scene() && b_->vehicles) b_->vehicles->update(time_s_);
  return vehicles_shown_;
}

void Session::select(std::optional<render::PickHit> hit) {
  selection_.reset();
  const Run* run = primary_run();
  if (!hit || !run) return;
  const auto& sets = run->scene->sets();
  if (hit->set >= sets.size()) return;
  const ElementSet& set = *sets[hit->set].set;
  if (hit->element >= set.size()) return;
  Selection s;
  s.set = set.name;
  s.element = hit->element;
  s.id = set.ids[hit->element];
  for (const auto& a : set.attributes)
    s.attributes.emplace_back(
        a.name, a.texts.empty() ? number_text(a.numbers.at(hit->element)) : a.texts.at(hit->element));
  auto add_traces = [&](const Run& r, const std::string& suffix) {
    const ElementSet* own = r.results.find_set(set.name);
    if (!own || own->size() != set.size()) return;
    for (const auto& l : r.results.layers) {
      if (l.set != set.name || l.elements() != set.size()) continue;
      Selection::Trace t{l.name + suffix, l.unit, l.times_s, {}};
      for (size_t k = 0; k < l.times_s.size(); ++k) t.values.push_back(l.row(k)[hit->element]);
      s.traces.push_back(std::move(t));
    }
  };
  add_traces(*a_, b_ ? " (A)" : "");
  if (b_) add_traces(*b_, " (B)");
  selection_ = std::move(s);
}

bool Session::select_id(const std::string& set_name, const std::string& id) {
  const Run* run = primary_run();
  if (!run) {
    error("nothing loaded");
    return false;
  }
  const auto& sets = run->scene->sets();
  for (size_t i = 0; i < sets.size(); ++i) {
    if (sets[i].set->name != set_name) continue;
    const auto& ids = sets[i].set->ids;
    auto it = std::find(ids.begin(), ids.end(), id);
    if (it == ids.end()) break;
    select(render::PickHit{i, static_cast<std::uint32_t>(it - ids.begin()), {}});
    return true;
  }
  error("no element " + id + " in set " + set_name);
  return false;
}

bool Session::select_sensor(const std::string& id) {
  if (id.empty()) {
    sensor_id_.clear();
    apply_sensor_marks();
    return true;
  }
  const Run* run = primary_run();
  if (!run) {
    error("nothing loaded");
    return false;
  }
  std::string known;
  for (const auto& t : run->results.sensors) {
    known += (known.empty() ? "" : ", ") + t.id;
    if (t.id != id) continue;
    sensor_id_ = id;
    if (t.set.empty() || !select_id(t.set, t.element)) selection_.reset();
    apply_sensor_marks();
    return true;
  }
  error("no sensor " + id + " (sensors: " + (known.empty() ? "none" : known) + ")");
  return false;
}

std::optional<size_t> Session::selected_sensor() const {
  const Run* run = primary_run();
  if (!run || sensor_id_.empty()) return std::nullopt;
  for (size_t i = 0; i < run->results.sensors.size(); ++i)
    if (run->results.sensors[i].id == sensor_id_) return i;
  return std::nullopt;
}

void Session::set_sensor_coloring(SensorColoring coloring) {
  sensor_coloring_ = coloring;
  apply_sensor_marks();
}

void Session::apply_sensor_marks() {
  for (Run* run : {a_.get(), b_.get()}) {
    if (!run || !run->sensors) continue;
    std::vector<render::Rgb> colors;
    std::optional<size_t> selected;
    for (size_t i = 0; i < run->results.sensors.size(); ++i) {
      const SensorTrace& t = run->results.sensors[i];
      colors.push_back(sensor_coloring_ == SensorColoring::fit
                           ? render::fit_class(run->sensor_metrics[i].nse).color
                           : render::quantity_color(t.quantity));
      if (t.id == sensor_id_) selected = i;
    }
    run->sensors->set_colors(std::move(colors));
    run->sensors->set_selected(selected);
  }
}

std::string Session::selection_text() const {
  if (!selection_) return "nothing selected\n";
  std::ostringstream out;
  out << "set: " << selection_->set << "\n";
  out << "id: " << selection_->id << "\n";
  for (const auto& [k, v] : selection_->attributes) out << "attribute " << k << ": " << v << "\n";
  for (const auto& t : selection_->traces) {
    Layer probe;
    probe.times_s = t.times_s;
    const size_t k = probe.time_index(time_s_);
    out << "layer " << t.layer << " [" << t.unit << "] at " << time_text(time_s_) << ": "
        << (t.values.empty() ? std::string("-") : number_text(t.values[k])) << "\n";
  }
  return out.str();
}

std::vector<std::string> Session::models() const {
  return a_ ? scenario_models(a_->scenario_text) : std::vector<std::string>{};
}

bool Session::run_whatif() {
  if (!a_) {
    error("open a baseline first");
    return false;
  }
  if (a_->scenario_text.empty()) {
    error(a_->source + ": its scenario is unknown (no scenario.toml in the results): cannot make a what-if");
    return false;
  }
  if (drafts_.empty()) {
    error("add an intervention first");
    return false;
  }
  try {
    const int n = job_count_ + 1;
    const std::string name = a_->results.info.scenario_name + "-whatif-" + std::to_string(n);
    whatif_text_ = whatif_scenario_text(a_->scenario_text, a_->scenario_file, name, drafts_);
    const fs::path file = fs::path(work_dir_) / (name + ".toml");
    std::ofstream(file, std::ios::binary) << whatif_text_;
    start_job(file.string(), true);
    return job_ != nullptr;
  } catch (const std::exception& e) {
    error(e.what());
    return false;
  }
}

bool Session::save_whatif(const std::string& path) {
  if (whatif_text_.empty()) {
    error("no what-if to save: run one first");
    return false;
  }
  try {
    write_file_atomically(path, [&](std::ostream& out) { out << whatif_text_; });
  } catch (const InputError& e) {
    error(e.what());
    return false;
  }
  info("saved what-if scenario " + path);
  return true;
}

std::vector<Session::KpiRow> Session::kpis() const {
  std::vector<KpiRow> rows;
  if (!a_) return rows;
  std::set<std::string> seen;
  for (const Run* run : {a_.get(), b_.get()}) {
    if (!run) continue;
    for (const auto& k : run->results.kpis) {
      if (!seen.insert(k.name).second) continue;
      const Kpi* ka = a_->results.find_kpi(k.name);
      const Kpi* kb = b_ ? b_->results.find_kpi(k.name) : nullptr;
      rows.push_back({k.name, k.unit, ka ? ka->value : NAN, kb ? kb->value : NAN});
    }
  }
  return rows;
}

}  // namespace citytwin::viewer
