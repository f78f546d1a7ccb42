// `citytwin sweep`: a design over scenario keys run on one Session, every finished run appended to runs.csv.
#include <fcntl.h>
#include <unistd.h>

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "engine/core/atomic_write.hpp"
#include "engine/core/progress.hpp"
#include "engine/data/csv_io.hpp"
#include "engine/sim/sweep.hpp"
#include "models/all_models.hpp"
#include "tools/citytwin/commands.hpp"
#include "tools/citytwin/scenario_runner.hpp"

namespace citytwin::cli {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// One row of runs.csv.
struct RunRow {
  int run = 0;
  std::string status, seed;
  std::vector<std::string> values;                         ///< the parameters', in the sweep's order
  std::vector<std::pair<std::string, std::string>> kpis;  ///< name, value
  std::string wall_s, error;
};

/// runs.csv: `run,status,seed,<parameter keys>,<KPI names>,wall_s,error`. A finished run is appended as one
/// line by one write(2) on a file opened O_APPEND, then synced; a run that brings a KPI the header lacks
/// rewrites the file whole (atomically, under a temporary name). A line cut short (a crash of the machine
/// during the write) is dropped when the file is read back, and that run runs again.
class RunsFile {
 public:
  RunsFile(fs::path path, std::vector<std::string> keys) : path_(std::move(path)), keys_(std::move(keys)) {}

  const fs::path& path() const { return path_; }
  const std::vector<RunRow>& rows() const { return rows_; }

  /// Reads the rows of an existing file (InputError at a line that is not a row of this header).
  void read() { read_rows(path_); }
  void read_rows(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return;
    std::string text = slurp(path);
    if (!text.empty() && text.back() != '\n') text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
    std::istringstream lines(text);
    std::string line;
    std::vector<std::string> kpis;
    int number = 0;
    while (std::getline(lines, line)) {
      ++number;
      const auto f = csv_split(line);
      const SourceLocation where{path.string(), number, {}};
      if (number == 1) {
        const size_t fixed = 3 + keys_.size();
        bool ok = f.size() >= fixed + 2 && f[0] == "run" && f[1] == "status" && f[2] == "seed" &&
                  f[f.size() - 2] == "wall_s" && f.back() == "error";
        for (size_t j = 0; ok && j < keys_.size(); ++j) ok = f[3 + j] == keys_[j];
        if (!ok) throw InputError(where, "not the header of this sweep's runs (run,status,seed,<parameters>,<KPIs>,wall_s,error)");
        kpis.assign(f.begin() + static_cast<std::ptrdiff_t>(fixed), f.end() - 2);
        for (const auto& k : kpis) add_kpi(k);
        continue;
      }
      if (f.size() != 5 + keys_.size() + kpis.size()) throw InputError(where, "expected " + std::to_string(5 + keys_.size() + kpis.size()) + " fields");
      RunRow row;
      row.run = std::atoi(f[0].c_str());
      row.status = f[1];
      row.seed = f[2];
      row.values.assign(f.begin() + 3, f.begin() + 3 + static_cast<std::ptrdiff_t>(keys_.size()));
      for (size_t k = 0; k < kpis.size(); ++k)
        if (!f[3 + keys_.size() + k].empty()) row.kpis.emplace_back(kpis[k], f[3 + keys_.size() + k]);
      row.wall_s = f[f.size() - 2];
      row.error = f.back();
      if (row.run <= 0) throw InputError(where, "not a run number: \"" + f[0] + "\"");
      rows_.push_back(std::move(row));
    }
  }

  /// Records a finished run in the file.
  void add(RunRow row) {
    bool new_column = !fs::exists(path_);
    for (const auto& [name, value] : row.kpis) new_column |= add_kpi(name);
    rows_.push_back(std::move(row));
    if (new_column) return rewrite();
    const std::string line = row_text(rows_.back());
    const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    const bool ok = fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fdatasync(fd) == 0;
    if (fd >= 0) ::close(fd);
    if (!ok) throw InputError({path_.string(), 0, ""}, "cannot append a run");
  }

  /// Rows sorted by run, KPI columns in the order of the first run that gave each (the lowest-numbered run
  /// with KPIs, then any others' in run order): the same file whatever order the runs finished in.
  void sort() {
    std::sort(rows_.begin(), rows_.end(), [](const RunRow& a, const RunRow& b) { return a.run < b.run; });
    kpis_.clear();
    kpi_set_.clear();
    for (const auto& r : rows_)
      for (const auto& [name, value] : r.kpis) add_kpi(name);
    rewrite();
  }

  void rewrite() const {
    write_file_atomically(path_.string(), [&](std::ostream& out) {
      out << header();
      for (const auto& r : rows_) out << row_text(r);
    });
  }

 private:
  bool add_kpi(const std::string& name) {
    if (!kpi_set_.insert(name).second) return false;
    kpis_.push_back(name);
    return true;
  }
  std::string header() const {
    std::string h = "run,status,seed";
    for (const auto& k : keys_) h += "," + csv_field(k);
    for (const auto& k : kpis_) h += "," + csv_field(k);
    return h + ",wall_s,error\n";
  }
  std::string row_text(const RunRow& r) const {
    std::string line = std::to_string(r.run) + "," + r.status + "," + r.seed;
    for (const auto& v : r.values) line += "," + csv_field(v);
    std::map<std::string, std::string> by_name(r.kpis.begin(), r.kpis.end());
    for (const auto& k : kpis_) line += "," + (by_name.count(k) ? by_name[k] : std::string());
    return line + "," + r.wall_s + "," + csv_field(r.error) + "\n";
  }

  fs::path path_;
  std::vector<std::string> keys_;
  std::vector<std::string> kpis_;
  std::set<std::string> kpi_set_;
  std::vector<RunRow> rows_;
};

struct SweepOptions {
  std::string sweep, out, shard;
  int threads = 0, jobs = 0;
  bool resume = false, quiet = false;
};

std::vector<std::string> parameter_keys(const Sweep& sweep) {
  std::vector<std::string> keys;
  for (const auto& p : sweep.parameters) keys.push_back(p.key);
  return keys;
}

/// design.csv: every run of the design (run, seed, parameters), what --resume and merge compare against.
std::string design_text(const Sweep& sweep, const std::vector<SweepRun>& runs) {
  std::string text = "run,seed";
  for (const auto& k : parameter_keys(sweep)) text += "," + csv_field(k);
  text += "\n";
  for (const auto& r : runs) {
    text += std::to_string(r.run) + "," + std::to_string(r.seed);
    for (const auto& v : r.values) text += "," + csv_field(format_key_value(v));
    text += "\n";
  }
  return text;
}

/// sweep.id: the base scenario (path and a hash of its text) and the [set] keys, one per line.
std::string identity_text(const Sweep& sweep, const std::string& base_text) {
  std::uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : base_text) hash = (hash ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  std::string text = "base " + fs::absolute(sweep.base).lexically_normal().string() + " " + hex + "\n";
  for (const auto& s : sweep.fixed) text += "set " + s.key + "=" + format_key_value(s.value) + "\n";
  return text;
}

/// InputError at the sweep file's place of the first difference between a folder's sweep and this one.
void check_same_sweep(const Sweep& sweep, const fs::path& dir, const std::string& identity, const std::string& design) {
  const std::string what = " than the sweep in " + dir.string() + " (give another -o, or the sweep file it was made with)";
  if (!fs::exists(dir / "design.csv") || !fs::exists(dir / "sweep.id"))
    throw InputError(sweep.base_where, dir.string() + " holds no sweep (no design.csv and sweep.id) to resume");
  const std::string old_id = slurp(dir / "sweep.id");
  if (old_id != identity) {
    if (old_id.substr(0, old_id.find('\n')) != identity.substr(0, identity.find('\n')))
      throw InputError(sweep.base_where, "another base scenario (or one edited since)" + what);
    for (const auto& s : sweep.fixed)
      if (old_id.find("\nset " + s.key + "=" + format_key_value(s.value) + "\n") == std::string::npos)
        throw InputError(s.where, "another value" + what);
    throw InputError(SourceLocation{sweep.file, 0, "set"}, "other [set] keys" + what);
  }
  const std::string old_design = slurp(dir / "design.csv");
  if (old_design == design) return;
  std::istringstream a(old_design), b(design);
  std::string la, lb;
  std::getline(a, la);
  std::getline(b, lb);
  const auto ha = csv_split(la), hb = csv_split(lb);
  for (size_t j = 0; j < sweep.parameters.size(); ++j)
    if (j + 2 >= ha.size() || ha[j + 2] != hb[j + 2])
      throw InputError(sweep.parameters[j].where, "not a parameter of the sweep in " + dir.string() + " (its keys: " + la.substr(9) + ")");
  if (ha.size() != hb.size()) throw InputError(sweep.parameters.back().where, "fewer parameters" + what);
  while (std::getline(a, la) && std::getline(b, lb)) {
    if (la == lb) continue;
    const auto fa = csv_split(la), fb = csv_split(lb);
    if (fa[1] != fb[1]) throw InputError(sweep.seeds_where, "other seeds (run " + fb[0] + ")" + what);
    for (size_t j = 0; j < sweep.parameters.size(); ++j)
      if (fa[j + 2] != fb[j + 2]) throw InputError(sweep.parameters[j].where, "other values (run " + fb[0] + ": " + fb[j + 2] + ", there " + fa[j + 2] + ")" + what);
  }
  throw InputError(sweep.design_where, "another number of runs" + what);
}

/// "K/N" (1 <= K <= N): this process runs the runs r with (r - 1) mod N = K - 1.
std::pair<int, int> parse_shard(const std::string& text) {
  int k = 0, n = 0;
  char slash = 0, extra = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &k, &slash, &n, &extra) != 3 || slash != '/' || n < 1 || k < 1 || k > n)
    throw InputError({"--shard " + text, 0, ""}, "expected K/N with 1 <= K <= N (the K-th of N shares, 1/4 .. 4/4)");
  return {k, n};
}

std::string runs_file_name(int k, int n) {
  return n > 0 ? "runs-" + std::to_string(k) + "-of-" + std::to_string(n) + ".csv" : "runs.csv";
}

std::string one_line(std::string s) {
  for (size_t at = s.find('\n'); at != std::string::npos; at = s.find('\n', at)) s.replace(at, 1, " | ");
  return s;
}

struct Prepared {
  Sweep sweep;
  toml::table base;
  std::vector<SweepRun> runs;
  std::string identity, design;
};

Prepared prepare(const std::string& file) {
  Prepared p;
  p.sweep = load_sweep(file);
  if (!fs::is_regular_file(p.sweep.base)) throw InputError(p.sweep.base_where, "no such scenario file: " + p.sweep.base);
  const std::string base_text = slurp(p.sweep.base);
  p.base = parse_scenario_toml(base_text, p.sweep.base);
  // A value of another kind than the file's (a range of fractions for an integer key): at the sweep's line.
  ErrorList errors;
  for (const auto& param : p.sweep.parameters) {
    const toml::node* node = find_scenario_key(p.base, param.key);
    if (!node) continue;
    std::vector<KeyValue> values = param.values;
    if (values.empty() && param.integer) values = {static_cast<std::int64_t>(param.min), static_cast<std::int64_t>(param.max)};
    if (values.empty()) values = {param.min, param.max};
    for (const auto& v : values)
      if (const std::string wrong = kind_mismatch(*node, v); !wrong.empty()) {
        errors.add(param.where, wrong + " (in " + p.sweep.base + ")");
        break;
      }
  }
  errors.throw_if_any();
  const Scenario base = scenario_with(tree_with(p.base, p.sweep.fixed), p.sweep.base, p.sweep.fixed);
  p.runs = expand_sweep(p.sweep, base.seed);
  p.identity = identity_text(p.sweep, base_text);
  p.design = design_text(p.sweep, p.runs);
  return p;
}

Scenario run_scenario(const Prepared& p, const SweepRun& run, toml::table* tree_out = nullptr) {
  const auto settings = run_settings(p.sweep, run);
  toml::table tree = tree_with(p.base, settings);
  Scenario scenario = scenario_with(tree, p.sweep.base, settings);
  if (tree_out) *tree_out = std::move(tree);
  return scenario;
}

void sweep_main(const SweepOptions& opt) {
  const Prepared p = prepare(opt.sweep);
  const auto [shard_k, shard_n] = opt.shard.empty() ? std::pair{0, 0} : parse_shard(opt.shard);
  const fs::path dir = opt.out;
  RunsFile runs_file(dir / runs_file_name(shard_k, shard_n), parameter_keys(p.sweep));
  if (opt.resume) {
    check_same_sweep(p.sweep, dir, p.identity, p.design);
    runs_file.read();
  } else if (fs::exists(dir / "design.csv") || fs::exists(runs_file.path())) {
    throw InputError({dir.string(), 0, ""}, "holds a sweep already: --resume continues it, or give another -o");
  }
  // What is to run: this shard's runs that runs.csv does not hold.
  std::set<int> done_runs;
  for (const auto& r : runs_file.rows()) done_runs.insert(r.run);
  std::vector<const SweepRun*> todo;
  for (const auto& r : p.runs)
    if ((shard_n == 0 || (r.run - 1) % shard_n == shard_k - 1) && !done_runs.count(r.run)) todo.push_back(&r);
  // Every run's scenario checked before anything runs: a bad key or value stops the sweep at its line.
  {
    const ModelRegistry registry = all_models();
    for (const SweepRun* r : todo) {
      const Scenario scenario = run_scenario(p, *r);
      check_settings(scenario, run_settings(p.sweep, *r), [&](const Scenario& s) { registry.create(s); });
    }
  }
  fs::create_directories(dir);
  if (!opt.resume) {
    write_file_atomically((dir / "sweep.id").string(), [&](std::ostream& o) { o << p.identity; });
    write_file_atomically((dir / "design.csv").string(), [&](std::ostream& o) { o << p.design; });
  }
  std::printf("sweep %s: %zu runs, %zu to run%s\n", opt.sweep.c_str(), p.runs.size(), todo.size(),
              shard_n ? (" (shard " + opt.shard + ")").c_str() : "");
  std::fflush(stdout);
  if (!todo.empty()) {
    Log city_log;
    const Session session = open_session(run_scenario(p, *todo.front()), city_log);
    const int threads = opt.threads > 0 ? opt.threads : tbb::task_arena(tbb::task_arena::automatic).max_concurrency();
    const int jobs = opt.jobs > 0 ? opt.jobs : threads;
    const int threads_each = std::max(1, threads / jobs);
    std::mutex mutex;
    int finished = 0, failed = 0;
    Progress progress("sweep", static_cast<double>(todo.size()), !opt.quiet);
    const auto start = std::chrono::steady_clock::now();
    for_each_job(todo.size(), jobs, [&](size_t i) {
      const SweepRun& run = *todo[i];
      const auto t0 = std::chrono::steady_clock::now();
      RunRow row;
      row.run = run.run;
      row.seed = std::to_string(run.seed);
      for (const auto& v : run.values) row.values.push_back(format_key_value(v));
      try {
        toml::table tree;
        ScenarioRun sr;
        sr.scenario = run_scenario(p, run, &tree);
        Log log;
        RunOptions options;
        options.threads = threads_each;
        options.log = &log;
        sr.results = session.run(sr.scenario, options);
        for (const auto& k : sr.results.kpis) row.kpis.emplace_back(k.name, format_number(k.value));
        if (p.sweep.keep_all) {
          sr.scenario_text = scenario_text_with(tree, p.sweep.base, run_settings(p.sweep, run));
          write_run((dir / "runs" / std::to_string(run.run)).string(), sr, log, city_log.text());
        }
        row.status = "ok";
      } catch (const std::exception& e) {
        row.status = "failed";
        row.kpis.clear();
        row.error = one_line(e.what());
      }
      char wall[32];
      std::snprintf(wall, sizeof wall, "%.3f", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      row.wall_s = wall;
      std::lock_guard lock(mutex);
      failed += row.status != "ok";
      if (row.status != "ok") std::fprintf(stderr, "citytwin sweep: run %d failed: %s\n", row.run, row.error.c_str());
      runs_file.add(std::move(row));
      ++finished;
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      char status[96];
      std::snprintf(status, sizeof status, "%d/%zu runs, %d failed, %.0f s left", finished, todo.size(), failed,
                    elapsed / finished * static_cast<double>(todo.size() - static_cast<size_t>(finished)));
      progress.update(finished, status);
    });
    progress.finish();
  }
  runs_file.sort();
  int failed = 0, shard_runs = 0;
  for (const auto& r : runs_file.rows()) failed += r.status != "ok";
  for (const auto& r : p.runs) shard_runs += shard_n == 0 || (r.run - 1) % shard_n == shard_k - 1;
  std::printf("%d runs, %d failed: %s\n", shard_runs, failed, runs_file.path().c_str());
}

/// `citytwin sweep merge DIR`: the shards' runs-K-of-N.csv into runs.csv, once every run is in one of them.
void merge_main(const std::string& dir_text) {
  const fs::path dir = dir_text;
  if (!fs::exists(dir / "design.csv")) throw InputError({dir_text, 0, ""}, "holds no sweep (no design.csv)");
  std::ifstream design(dir / "design.csv");
  std::string header, line;
  std::getline(design, header);
  const auto columns = csv_split(header);
  std::set<int> all;
  while (std::getline(design, line)) all.insert(std::atoi(line.c_str()));
  RunsFile merged(dir / "runs.csv", std::vector<std::string>(columns.begin() + 2, columns.end()));
  int shards = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("runs-") && name.ends_with(".csv") && name.find("-of-") != std::string::npos) {
      merged.read_rows(e.path());
      ++shards;
    }
  }
  std::set<int> have;
  for (const auto& r : merged.rows())
    if (!have.insert(r.run).second) throw InputError({dir_text, 0, ""}, "run " + std::to_string(r.run) + " is in two shards");
  std::string missing;
  int count = 0;
  for (int r : all)
    if (!have.count(r) && ++count <= 10) missing += " " + std::to_string(r);
  if (count > 0)
    throw InputError({dir_text, 0, ""}, std::to_string(count) + " of " + std::to_string(all.size()) + " runs in no shard's file (runs" + missing +
                                            (count > 10 ? " ..." : "") + "): run or resume those shards first");
  merged.sort();
  std::printf("%zu runs from %d shards: %s\n", all.size(), shards, merged.path().c_str());
}

}  // namespace

void add_sweep(CLI::App& app) {
  auto opt = std::make_shared<SweepOptions>();
  auto* cmd = app.add_subcommand("sweep", "Run a design over scenario keys on one session (the city loaded once), "
                                          "one row per run in DIR/runs.csv");
  // Not marked required: `citytwin sweep merge DIR` has neither (checked in the callback).
  cmd->add_option("SWEEP", opt->sweep, "Sweep file (TOML): base scenario, [[parameters]], [design], [set]");
  cmd->add_option("-o,--output", opt->out, "Folder of the sweep: runs.csv, design.csv, sweep.id (runs/<run>/ with keep = \"all\")");
  cmd->add_option("-t,--threads", opt->threads, "Worker threads in all (default: every core)")->check(CLI::Range(0, 1024));
  cmd->add_option("-j,--jobs", opt->jobs, "Runs at once (default: the threads; each run gets threads / jobs)")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--shard", opt->shard, "K/N: only the K-th of N disjoint shares of the runs, into runs-K-of-N.csv "
                                         "(a Slurm array task; `citytwin sweep merge DIR` joins them)");
  cmd->add_flag("--resume", opt->resume, "Continue the sweep in DIR: run only what runs.csv lacks");
  cmd->add_flag("-q,--quiet", opt->quiet, "No progress bar");
  auto merge_dir = std::make_shared<std::string>();
  auto* merge = cmd->add_subcommand("merge", "Join the shards' runs-K-of-N.csv of DIR into DIR/runs.csv");
  merge->add_option("DIR", *merge_dir, "Folder of a sharded sweep")->required();
  merge->callback([merge_dir] { merge_main(*merge_dir); });
  // "merge DIR" or "SWEEP -o DIR": the sweep's own options are then optional.
  cmd->require_subcommand(0, 1);
  cmd->callback([merge, opt] {
    if (merge->parsed()) return;
    if (opt->sweep.empty() || opt->out.empty()) throw CLI::RequiredError("SWEEP and -o,--output");
    sweep_main(*opt);
  });
}

}  // namespace citytwin::cli
