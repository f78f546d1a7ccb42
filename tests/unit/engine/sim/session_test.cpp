#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <thread>

#include "engine/core/random.hpp"
#include "engine/sim/session.hpp"

using namespace citytwin;

namespace {

City line_city(int n) {
  City c;
  for (int i = 0; i < n; ++i) {
    Building b;
    b.id = "b" + std::to_string(i);
    b.floor_area_m2 = 100.0 + i;
    c.buildings.push_back(b);
  }
  return c;
}

/// Static data: a weight per building, shaped by the parameter `shape`.
struct Weights final : PreparedData {
  std::vector<double> w;
};

/// A model with prepared static data (weights from `shape`) and run-time parameters (`gain`, the seed).
/// It records the largest arena concurrency it saw in setup and advance.
class Shaped final : public Model {
 public:
  Shaped(double shape, double gain, std::atomic<int>* max_concurrency)
      : shape_(shape), gain_(gain), max_concurrency_(max_concurrency) {}
  std::string name() const override { return "shaped"; }
  SignalAccess signals() const override { return {{}, {"shaped.value"}, {}}; }
  std::string prepare_key() const override { return std::to_string(shape_); }
  std::shared_ptr<const PreparedData> prepare(const City& city) const override {
    auto p = std::make_shared<Weights>();
    for (const auto& b : city.buildings) p->w.push_back(std::pow(b.floor_area_m2, shape_));
    return p;
  }
  void setup(RunContext& ctx) override {
    ctx_ = &ctx;
    weights_ = &ctx.prepared_as<Weights>().w;
    id_ = ctx.exchange.declare("shaped.value", weights_->size());
    layer_ = ctx.recorder.add_layer("shaped.value", "buildings", "1", "test value");
    values_.assign(weights_->size(), 0.0);
    seen_concurrency();
  }
  void apply(const Intervention&, double) override {}
  void advance(double t0, double) override {
    seen_concurrency();
    tbb::parallel_for(size_t{0}, values_.size(), [&](size_t i) {
      auto rng = random_stream(ctx_->scenario.seed, static_cast<std::uint64_t>(t0), i);
      values_[i] = gain_ * (*weights_)[i] * uniform01(rng);
    });
    std::copy(values_.begin(), values_.end(), ctx_->exchange.write(id_).begin());
  }
  void record(double t) override { ctx_->recorder.record_layer(layer_, t, values_); }
  void finish() override {}

 private:
  void seen_concurrency() {
    if (!max_concurrency_) return;
    const int c = tbb::this_task_arena::max_concurrency();
    int old = max_concurrency_->load();
    while (c > old && !max_concurrency_->compare_exchange_weak(old, c)) {
    }
  }
  double shape_, gain_;
  std::atomic<int>* max_concurrency_;
  RunContext* ctx_ = nullptr;
  const std::vector<double>* weights_ = nullptr;
  std::vector<double> values_;
  Exchange::SignalId id_ = 0;
  Recorder::LayerId layer_ = 0;
};

/// Reads "shaped.value" when some model writes it (optional), and `needs` when given (required).
class Reader final : public Model {
 public:
  explicit Reader(std::string needs) : needs_(std::move(needs)) {}
  std::string name() const override { return "reader"; }
  SignalAccess signals() const override {
    SignalAccess a{{}, {}, {"shaped.value"}};
    if (!needs_.empty()) a.reads.push_back(needs_);
    return a;
  }
  void setup(RunContext& ctx) override {
    ctx_ = &ctx;
    series_ = ctx.recorder.add_series("reader.sum", "1");
  }
  void connect(RunContext& ctx) override {
    if (ctx.exchange.has("shaped.value")) id_ = ctx.exchange.id("shaped.value");
  }
  void apply(const Intervention&, double) override {}
  void advance(double, double) override {
    sum_ = 0;
    if (id_)
      for (double v : ctx_->exchange.read(*id_)) sum_ += v;
  }
  void record(double t) override { ctx_->recorder.record_series(series_, t, sum_); }
  void finish() override {}

 private:
  std::string needs_;
  RunContext* ctx_ = nullptr;
  std::optional<Exchange::SignalId> id_;
  Recorder::SeriesId series_ = 0;
  double sum_ = 0;
};

ModelRegistry registry(std::atomic<int>* max_concurrency = nullptr) {
  ModelRegistry r;
  r.add("shaped", "test", [max_concurrency](Params& p) {
    return std::make_unique<Shaped>(p.number("shape", 1, 0, 3), p.number("gain", 1, 0, 10), max_concurrency);
  });
  r.add("reader", "test", [](Params& p) { return std::make_unique<Reader>(p.string("needs", "")); });
  return r;
}

Scenario scenario(const std::string& shaped, std::uint64_t seed = 1, const std::string& reader = "") {
  return parse_scenario("seed = " + std::to_string(seed) +
                            "\n[city]\nfile = \"unused\"\n[period]\nstart = \"2026-07-13T00:00\"\n"
                            "duration = \"1h\"\nstep = \"10min\"\n[models.shaped]\n" + shaped +
                            "\n[models.reader]\n" + reader + "\n",
                        "s.toml");
}

bool same(const Results& a, const Results& b) {
  return a.find_layer("shaped.value")->values == b.find_layer("shaped.value")->values &&
         a.series[0].values == b.series[0].values;
}

}  // namespace

BOOST_AUTO_TEST_CASE(runs_that_differ_in_run_time_parameters_share_one_prepare) {
  Session session(line_city(300), registry());
  std::vector<Scenario> runs = {scenario("gain = 1", 1), scenario("gain = 2", 1), scenario("gain = 1", 7)};
  for (const auto& sc : runs) {
    const Results shared = session.run(sc);
    const Results alone = run_simulation(sc, session.city(), registry(), {});  // prepared for itself
    BOOST_TEST(same(shared, alone));
  }
  BOOST_TEST(session.prepare_count("shaped") == 1u);
  // The reader prepares nothing.
  BOOST_TEST(session.prepare_count("reader") == 0u);
  // Another shape is other static data.
  session.run(scenario("shape = 2"));
  BOOST_TEST(session.prepare_count("shaped") == 2u);
  session.run(scenario("shape = 2", 3));
  BOOST_TEST(session.prepare_count("shaped") == 2u);
}

BOOST_AUTO_TEST_CASE(concurrent_runs_on_one_session_give_what_each_gives_alone) {
  Session session(line_city(2000), registry());
  std::vector<Scenario> runs;
  for (int k = 0; k < 6; ++k) runs.push_back(scenario("gain = " + std::to_string(k + 1), 10 + k));
  std::vector<Results> alone;
  for (const auto& sc : runs) alone.push_back(run_simulation(sc, session.city(), registry(), {}));
  std::vector<Results> together(runs.size());
  std::vector<std::thread> threads;
  for (size_t k = 0; k < runs.size(); ++k)
    threads.emplace_back([&, k] { together[k] = session.run(runs[k]); });
  for (auto& t : threads) t.join();
  for (size_t k = 0; k < runs.size(); ++k) BOOST_TEST(same(together[k], alone[k]));
  BOOST_TEST(session.prepare_count("shaped") == 1u);
}

BOOST_AUTO_TEST_CASE(the_thread_count_reaches_the_models) {
  std::atomic<int> seen{0};
  Session session(line_city(100), registry(&seen));
  RunOptions one;
  one.threads = 1;
  session.run(scenario(""), one);
  BOOST_TEST(seen.load() == 1);
  RunOptions two;
  two.threads = 2;
  session.run(scenario(""), two);
  BOOST_TEST(seen.load() == 2);
}

BOOST_AUTO_TEST_CASE(a_required_signal_that_no_model_writes_is_an_error_naming_both) {
  Session session(line_city(10), registry());
  try {
    session.run(scenario("", 1, "needs = \"nobody.value\""));
    BOOST_FAIL("expected an error");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()) ==
               "s.toml:10: models.reader: reader reads the signal nobody.value, which no model of this run writes");
  }
}

BOOST_AUTO_TEST_CASE(an_optional_signal_is_used_only_when_written) {
  const Scenario both = scenario("");
  Scenario alone = both;
  alone.models.erase("shaped");
  const Results with = run_simulation(both, line_city(10), registry(), {});
  const Results without = run_simulation(alone, line_city(10), registry(), {});
  BOOST_TEST(with.series[0].values.back() > 0);
  BOOST_TEST(without.series[0].values.back() == 0);
}

BOOST_AUTO_TEST_CASE(a_scenario_of_another_city_is_refused) {
  CitySource mine{"/data/a.osm.pbf", "", "", ""};
  Session session(line_city(1), registry(), mine);
  Scenario sc = scenario("");
  sc.city.path = "/data/b.osm.pbf";
  BOOST_CHECK_THROW(session.run(sc), InputError);
}
