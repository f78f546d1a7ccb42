#include "engine/sim/scenario.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/time.hpp"
#include "engine/sim/params.hpp"

namespace citytwin {


namespace {

namespace fs = std::filesystem;

/// A time given as a datetime, "HH:MM", "+offset" or seconds, relative to the scenario start.
std::optional<double> read_time(const toml::node* n, std::int64_t start, const TimeZone& zone) {
  if (!n) return std::nullopt;
  if (n->is_number()) return n->value<double>();
  if (auto s = n->as_string()) return resolve_time_s(s->get(), start, zone);
  return std::nullopt;
}

/// [period] holidays = ["2026-07-14", ...]: local dates on which weekend schedules apply.
void read_holidays(Params& period, Scenario& sc) {
  if (!period.has("holidays")) return;
  const std::vector<std::string> dates = period.strings("holidays");
  for (const auto& date : dates) {
    const auto day = parse_date(date);
    if (!day) {
      period.error("holidays", "expected dates like \"2026-07-14\", got \"" + date + "\"");
      continue;
    }
    sc.holidays.push_back(*day);
  }
  std::sort(sc.holidays.begin(), sc.holidays.end());
}

void read_interventions(const toml::node* node, const std::string& file, Scenario& sc, ErrorList& errors) {
  if (!node) return;
  auto* arr = node->as_array();
  if (!arr) {
    errors.add({file, static_cast<int>(node->source().begin.line), "interventions"},
               "expected an array of tables ([[interventions]])");
    return;
  }
  int index = 0;
  for (const auto& item : *arr) {
    const std::string prefix = "interventions[" + std::to_string(index++) + "]";
    const int line = static_cast<int>(item.source().begin.line);
    auto* t = item.as_table();
    if (!t) {
      errors.add({file, line, prefix}, "expected a table");
      continue;
    }
    Intervention iv;
    iv.where = {file, line, prefix};
    Params p(t, file, prefix, errors);
    for (const char* key : {"at", "until"}) {
      const toml::node* n = t->get(key);
      if (!n) continue;
      auto v = read_time(n, sc.start_unix_s, sc.timezone);
      if (!v || *v < 0 || *v > sc.duration_s)
        p.error(key, "expected a time within the period (\"2026-07-13T08:00\", \"08:00\", \"+2h\" or seconds), got " +
                         describe_toml(*n));
      else if (std::string(key) == "at") iv.at_s = *v;
      else iv.until_s = *v;
    }
    if (!t->get("at")) p.error("at", "missing: when the intervention starts");
    iv.model = p.string("model", "");
    iv.action = p.string("action", "");
    iv.target = p.string("target", "");
    if (iv.model.empty() && !t->get("model")) p.error("model", "missing: which model applies it");
    else if (!iv.model.empty() && !sc.models.count(iv.model))
      p.error("model", "\"" + iv.model + "\" is not an enabled model of this scenario");
    if (iv.action.empty()) p.error("action", "missing");
    if (iv.until_s <= iv.at_s) p.error("until", "must be after 'at'");
    for (auto&& [k, v] : *t) {
      std::string key(k.str());
      if (key != "at" && key != "until" && key != "model" && key != "action" && key != "target")
        iv.params.insert(k, v);  // the key keeps its line (the copied value does not)
    }
    sc.interventions.push_back(std::move(iv));
  }
  std::stable_sort(sc.interventions.begin(), sc.interventions.end(),
                   [](const Intervention& a, const Intervention& b) { return a.at_s < b.at_s; });
}

}  // namespace

toml::table parse_scenario_toml(const std::string& text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw InputError({file, static_cast<int>(e.source().begin.line), ""},
                     "malformed TOML: " + std::string(e.description()));
  }
}

Scenario parse_scenario(const std::string& text, const std::string& file) {
  return parse_scenario(parse_scenario_toml(text, file), file);
}

Scenario parse_scenario(const toml::table& root, const std::string& file) {
  ErrorList errors;
  Scenario sc;
  sc.file = file;
  Params top(&root, file, "", errors);
  sc.name = top.string("name", fs::path(file).stem().string());
  sc.description = top.string("description", "");
  sc.seed = static_cast<std::uint64_t>(top.integer("seed", 1, 0, (1LL << 62)));
  sc.threads = static_cast<int>(top.integer("threads", 0, 0, 1024));

  Params city = top.table("city");
  if (!city.has("file")) city.error("file", "missing: the city's GIS file");
  sc.city.path = resolve_path(file, city.string("file", ""));  // the importer names a missing file
  sc.city.crs = city.string("crs", "");
  sc.city.buildings_layer = city.string("buildings_layer", "");
  sc.city.roads_layer = city.string("roads_layer", "");
  city.finish();

  Params period = top.table("period");
  auto read_start = [&]() -> std::int64_t {
    const std::string s = period.string("start", "");
    if (s.empty()) {
      period.error("start", "missing: the period's start (\"2026-07-13T00:00\")");
      return 0;
    }
    auto t = parse_datetime(s);
    if (!t) period.error("start", "expected a date and time like \"2026-07-13T00:00\", got \"" + s + "\"");
    return t.value_or(0);
  };
  sc.start_unix_s = read_start();
  read_holidays(period, sc);
  if (period.has("timezone")) {
    const std::string name = period.string("timezone", "");
    if (auto zone = TimeZone::find(name)) {
      sc.timezone = *zone;
      sc.timezone_given = true;
    } else {
      period.error("timezone", "unknown time zone \"" + name + "\" (an IANA name such as \"Europe/Monaco\" or \"UTC\")");
    }
  }
  sc.step_s = period.duration_s("step", 900, 0.1, 86400);
  if (period.has("end") && period.has("duration")) period.error("duration", "give either end or duration, not both");
  if (period.has("end")) {
    const std::string s = period.string("end", "");
    auto end = parse_datetime(s);
    if (!end || *end <= sc.start_unix_s) period.error("end", "expected a date and time after start, got \"" + s + "\"");
    else sc.duration_s = static_cast<double>(*end - sc.start_unix_s);
  } else {
    sc.duration_s = period.duration_s("duration", 86400, 1, 366.0 * 86400);
  }
  if (sc.step_s > sc.duration_s) period.error("step", "is longer than the period");
  period.finish();

  if (const toml::node* models = root.get("models")) {
    top.accept("models");
    if (auto* mt = models->as_table()) {
      for (auto&& [k, v] : *mt) {
        std::string name(k.str());
        auto* t = v.as_table();
        if (!t) {
          errors.add({file, static_cast<int>(v.source().begin.line), "models." + name}, "expected a table");
          continue;
        }
        bool enabled = true;
        if (auto* e = t->get("enabled")) {
          if (auto b = e->as_boolean()) enabled = b->get();
          else errors.add({file, static_cast<int>(e->source().begin.line), "models." + name + ".enabled"},
                          "expected true or false, got " + describe_toml(*e));
        }
        if (!enabled) continue;
        ModelSection section;
        section.where = {file, static_cast<int>(t->source().begin.line), "models." + name};
        section.params = *t;
        section.params.erase("enabled");
        sc.models.emplace(name, std::move(section));
      }
    } else {
      errors.add({file, static_cast<int>(models->source().begin.line), "models"}, "expected a table");
    }
  }
  top.accept("interventions");
  read_interventions(root.get("interventions"), file, sc, errors);
  top.accept("feeds");
  sc.feeds = read_feeds(root.get("feeds"), file, sc.start_unix_s, sc.timezone, errors);

  Params out = top.table("outputs");
  sc.outputs.geopackage = out.boolean("geopackage", true);
  sc.outputs.timeseries = out.boolean("timeseries", true);
  sc.outputs.sensors = out.boolean("sensors", true);
  sc.outputs.render_layer = out.string("render_layer", "");
  sc.outputs.render_at = out.string("render_at", "");
  out.finish();
  // "interventions" and "models" are read above; finish() reports any other unknown top-level key.
  top.finish();
  errors.throw_if_any();
  return sc;
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path, 0, ""}, fs::exists(path) ? "cannot read the file" : "no such file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path);
}

}  // namespace citytwin
