// `citytwin calibrate SCENARIO --train A..B --test C..D -o OUT.toml`: fits the scenario's knobs to its
// compare feeds over the training period, writes the calibrated scenario, and reports the fit on both
// periods before and after (the test period is never used in the fit).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "engine/core/atomic_write.hpp"
#include "engine/core/error.hpp"
#include "engine/data/validation_metrics.hpp"
#include "engine/sim/calibrated_scenario.hpp"
#include "engine/sim/calibration.hpp"
#include "tools/citytwin/commands.hpp"
#include "tools/citytwin/scenario_runner.hpp"

namespace citytwin::cli {
namespace {

struct Period {
  std::string text;
  std::int64_t start = 0, end = 0;
};

/// One end of a period: a date (local midnight), a local date-time, or a date-time with its UTC offset.
std::optional<std::int64_t> instant_of(const std::string& text, const TimeZone& zone) {
  std::optional<std::int64_t> local;
  if (const auto day = parse_date(text)) local = *day * 86400;
  else if (const auto t = parse_iso8601(text)) {
    if (t->has_offset) return t->seconds;
    local = t->seconds;
  }
  if (!local) return std::nullopt;
  const auto utc = zone.to_utc(*local);
  if (utc.count == 0) return std::nullopt;
  return utc.earlier;
}

Period period_of(const std::string& option, const std::string& text, const TimeZone& zone) {
  const size_t dots = text.find("..");
  if (dots == std::string::npos) throw InputError(option + ": expected START..END (2026-03-02..2026-03-09), got \"" + text + "\"");
  const auto a = instant_of(text.substr(0, dots), zone), b = instant_of(text.substr(dots + 2), zone);
  if (!a || !b) throw InputError(option + ": \"" + text + "\" is not two dates or date-times in " + zone.name());
  if (*b <= *a) throw InputError(option + ": \"" + text + "\" ends before it starts");
  return {text, *a, *b};
}

struct Options {
  std::string scenario, train, test, out;
  int threads = 0;
};

/// The compared sensors' fit in each of the four runs, keyed by sensor.
struct Report {
  struct Row {
    std::string sensor, quantity, unit;
    FitMetrics m[4];  ///< train before, train after, test before, test after
  };
  std::vector<Row> rows;
  void add(const Results& r, int stage) {
    for (const auto& tr : r.sensors) {
      if (tr.role != "compare") continue;
      auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& row) { return row.sensor == tr.id; });
      if (it == rows.end()) it = rows.insert(rows.end(), Row{tr.id, tr.quantity, tr.unit, {}});
      it->m[stage] = fit_metrics(tr.measured, tr.simulated, tr.quantity == "traffic.flow");
    }
  }
};

bool is_fitted(const std::vector<FittedMultipliers>& fits, const std::string& sensor) {
  return std::any_of(fits.begin(), fits.end(), [&](const auto& f) { return std::count(f.sensors.begin(), f.sensors.end(), sensor) > 0; });
}

bool meets_guideline14(const FitMetrics& m) { return m.cvrmse_pct <= 30 && std::abs(m.nmbe_pct) <= 10; }

std::string verdict(const Report::Row& r, bool calibrated) {
  if (!calibrated) return "not calibrated (no knob for " + r.quantity + ")";
  const double before = r.m[2].cvrmse_pct, after = r.m[3].cvrmse_pct, train = r.m[1].cvrmse_pct;
  if (!std::isfinite(after) || !std::isfinite(before)) return "no test data";
  std::string v = after < before ? "test CV(RMSE) down from " : "test CV(RMSE) UP from ";
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.1f %% to %.1f %%", before, after);
  v += buf;
  if (after >= before) v += ": the fit does not generalise";
  else if (after > 2 * train + 10) v += ": fits the training period far better than the test period";
  v += meets_guideline14(r.m[3]) ? "; meets ASHRAE G14 hourly on test" : "; fails ASHRAE G14 hourly on test";
  return v;
}

void write_report(const std::string& path, const Report& report, const std::vector<FittedMultipliers>& fits) {
  write_file_atomically(path, [&](std::ostream& out) {
    out << "sensor,quantity,unit,period,stage,n,rmse,nse,cvrmse_pct,nmbe_pct,verdict\n";
    static const char* kPeriod[] = {"train", "train", "test", "test"};
    static const char* kStage[] = {"before", "after", "before", "after"};
    for (const auto& r : report.rows) {
      const bool calibrated = is_fitted(fits, r.sensor);
      for (int s = 0; s < 4; ++s) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "%zu,%.6g,%.6g,%.6g,%.6g", r.m[s].n, r.m[s].rmse, r.m[s].nse, r.m[s].cvrmse_pct, r.m[s].nmbe_pct);
        out << r.sensor << ',' << r.quantity << ',' << r.unit << ',' << kPeriod[s] << ',' << kStage[s] << ',' << buf << ",\""
            << (s == 3 ? verdict(r, calibrated) : "") << "\"\n";
      }
    }
  });
}

void print_report(const Report& report, const std::vector<FittedMultipliers>& fits) {
  std::printf("%-14s %-28s | %-21s | %-21s | verdict\n", "", "", "train CV(RMSE) NMBE %", "test CV(RMSE) NMBE %");
  std::printf("%-14s %-28s | %-10s %-10s | %-10s %-10s |\n", "sensor", "quantity", "before", "after", "before", "after");
  auto cell = [](const FitMetrics& m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f/%+.0f", m.cvrmse_pct, m.nmbe_pct);
    return std::string(buf);
  };
  for (const auto& r : report.rows)
    std::printf("%-14s %-28s | %-10s %-10s | %-10s %-10s | %s\n", r.sensor.c_str(), r.quantity.c_str(), cell(r.m[0]).c_str(),
                cell(r.m[1]).c_str(), cell(r.m[2]).c_str(), cell(r.m[3]).c_str(), verdict(r, is_fitted(fits, r.sensor)).c_str());
}

Results run_over(const Session& session, Scenario sc, const Period& p, int threads, Log& log, const char* what) {
  sc.start_unix_s = p.start;
  sc.duration_s = static_cast<double>(p.end - p.start);
  for (auto& f : sc.feeds) f.may_miss_period = true;
  log.info(std::string("running ") + what + " over " + p.text);
  std::fprintf(stderr, "calibrate: %s over %s\n", what, p.text.c_str());
  RunOptions o;
  o.threads = threads;
  o.log = &log;
  return session.run(sc, o);
}

void calibrate(const Options& o) {
  Log log;
  const ScenarioRun base = load_scenario_file(o.scenario);
  const TimeZone& zone = base.scenario.timezone;
  const Period train = period_of("--train", o.train, zone), test = period_of("--test", o.test, zone);
  if (train.start < test.end && test.start < train.end)
    throw InputError("--test: " + test.text + " overlaps the training period " + train.text + " (the test period must stay unseen)");
  const Session session = open_session(base.scenario, log);
  Report report;
  const Results train_before = run_over(session, base.scenario, train, o.threads, log, "the scenario");
  if (train_before.sensors.empty()) throw InputError({o.scenario, 0, ""}, "the scenario has no compare feeds to calibrate to");
  report.add(train_before, 0);
  const auto fits = fit_multipliers(train_before, base.scenario.step_s, train.start, zone);
  if (fits.empty())
    throw InputError({o.scenario, 0, ""}, "no compared sensor measures a quantity calibration can fit (water.zone_inflow, "
                                          "energy.building_electricity, traffic.flow)");
  const std::string header = "# Calibrated by `citytwin calibrate` from " + std::filesystem::path(o.scenario).filename().string() +
                             ": hourly multipliers fitted (least squares) over " + train.text + ", tested on " + test.text +
                             " (" + std::filesystem::path(o.out).stem().string() + ".calibration.csv).\n";
  const std::string text = calibrated_scenario_text(base.scenario_text, o.scenario, fits, o.out, header);
  const Scenario calibrated = parse_scenario(text, o.out);
  report.add(run_over(session, calibrated, train, o.threads, log, "the calibrated scenario"), 1);
  report.add(run_over(session, base.scenario, test, o.threads, log, "the scenario"), 2);
  report.add(run_over(session, calibrated, test, o.threads, log, "the calibrated scenario"), 3);
  if (const auto dir = std::filesystem::path(o.out).parent_path(); !dir.empty()) std::filesystem::create_directories(dir);
  write_file_atomically(o.out, [&](std::ostream& out) { out << text; });
  const std::string csv = (std::filesystem::path(o.out).parent_path() / std::filesystem::path(o.out).stem()).string() + ".calibration.csv";
  write_report(csv, report, fits);
  print_report(report, fits);
  std::printf("calibrated scenario: %s\nmetrics: %s\n", o.out.c_str(), csv.c_str());
}

}  // namespace

void add_calibrate(CLI::App& app) {
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("calibrate", "fit a scenario's demand multipliers to its compare feeds and test the fit on another period");
  cmd->add_option("scenario", opt->scenario, "scenario file with [[feeds]] of role compare")->required()->check(CLI::ExistingFile);
  cmd->add_option("--train", opt->train, "training period START..END (dates or date-times, local to the scenario)")->required();
  cmd->add_option("--test", opt->test, "test period START..END, never used in the fit")->required();
  cmd->add_option("-o,--output", opt->out, "the calibrated scenario to write (.toml)")->required();
  cmd->add_option("-t,--threads", opt->threads, "worker threads (0: the scenario's setting)");
  cmd->callback([opt] { calibrate(*opt); });
}

}  // namespace citytwin::cli
