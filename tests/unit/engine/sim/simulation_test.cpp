#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_reduce.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <thread>

#include "engine/core/random.hpp"
#include "engine/sim/simulation.hpp"

using namespace citytwin;

namespace {

/// A City of n square buildings on a line, without roads.
City grid_city(int n) {
  City c;
  c.crs = "EPSG:32632";
  for (int i = 0; i < n; ++i) {
    Building b;
    b.id = "b" + std::to_string(i);
    const double x = 20.0 * i;
    b.footprint = {Polygon{{{x, 0}, {x + 10, 0}, {x + 10, 10}, {x, 10}}, {}}};
    b.area_m2 = 100, b.height_m = 3, b.floor_area_m2 = 100;
    c.buildings.push_back(b);
  }
  return c;
}

/// Writes a pseudo-random value per building each interval (parallel), from per-entity streams.
class Producer final : public Model {
 public:
  std::string name() const override { return "producer"; }
  SignalAccess signals() const override { return {{}, {"producer.value"}, {}}; }
  void setup(RunContext& ctx) override {
    ctx_ = &ctx;
    id_ = ctx.exchange.declare("producer.value", ctx.city.buildings.size());
    values_.assign(ctx.city.buildings.size(), 0);
    layer_ = ctx.recorder.add_layer("producer.value", "buildings", "1", "test value");
  }
  void check_intervention(const Intervention& iv, Params& p) override {
    if (iv.action != "shift") p.error("action", "unknown action");
    p.number("offset", 0, -1e6, 1e6);
    p.finish();
  }
  void apply(const Intervention& iv, double) override { offset_ += *iv.params["offset"].value<double>(); }
  void advance(double t0, double) override {
    const auto step = static_cast<std::uint64_t>(t0);
    tbb::parallel_for(size_t{0}, values_.size(), [&](size_t i) {
      auto rng = random_stream(ctx_->scenario.seed, step, i);
      values_[i] = uniform01(rng) + offset_;
    });
    std::copy(values_.begin(), values_.end(), ctx_->exchange.write(id_).begin());
  }
  void record(double t) override { ctx_->recorder.record_layer(layer_, t, values_); }
  void finish() override {}

  RunContext* ctx_ = nullptr;
  Exchange::SignalId id_ = 0;
  Recorder::LayerId layer_ = 0;
  std::vector<double> values_;
  double offset_ = 0;
};

/// Reads the producer's signal and sums it (a parallel but deterministic reduction).
class Consumer final : public Model {
 public:
  std::string name() const override { return "consumer"; }
  SignalAccess signals() const override { return {{"producer.value"}, {}, {}}; }
  void setup(RunContext& ctx) override {
    ctx_ = &ctx;
    series_ = ctx.recorder.add_series("consumer.sum", "1");
  }
  void connect(RunContext& ctx) override { id_ = ctx.exchange.id("producer.value"); }
  void apply(const Intervention&, double) override {}
  void advance(double, double) override {
    auto in = ctx_->exchange.read(id_);
    sum_ = tbb::parallel_deterministic_reduce(
        tbb::blocked_range<size_t>(0, in.size(), 64), 0.0,
        [&](const tbb::blocked_range<size_t>& r, double acc) {
          for (size_t i = r.begin(); i < r.end(); ++i) acc += std::sqrt(in[i]) * 1.000001;
          return acc;
        },
        std::plus<>());
  }
  void record(double t) override { ctx_->recorder.record_series(series_, t, sum_); }
  void finish() override { ctx_->recorder.kpi("consumer.final", sum_, "1", "last sum"); }

  RunContext* ctx_ = nullptr;
  Exchange::SignalId id_ = 0;
  Recorder::SeriesId series_ = 0;
  double sum_ = 0;
};

ModelRegistry test_registry() {
  ModelRegistry r;
  r.add("producer", "test", [](Params&) { return std::make_unique<Producer>(); });
  r.add("consumer", "test", [](Params&) { return std::make_unique<Consumer>(); });
  return r;
}

Scenario test_scenario() {
  return parse_scenario(R"(
[city]
file = "unused"
[period]
start = "2026-07-13T00:00"
duration = "2h"
step = "10min"
[models.producer]
[models.consumer]
[[interventions]]
at = "+1h"
model = "producer"
action = "shift"
offset = 10.0
)",
                        "test.toml");
}

}  // namespace

BOOST_AUTO_TEST_CASE(same_results_at_one_and_two_threads) {
  const City city = grid_city(5000);
  const Scenario sc = test_scenario();
  RunOptions one, two;
  one.threads = 1;
  two.threads = 2;
  Results a = run_simulation(sc, city, test_registry(), one);
  Results b = run_simulation(sc, city, test_registry(), two);
  BOOST_REQUIRE(a.series.size() == 1u);
  BOOST_TEST(a.series[0].values == b.series[0].values);  // bitwise equal
  BOOST_TEST(a.find_layer("producer.value")->values == b.find_layer("producer.value")->values);
  BOOST_TEST(a.series[0].values.size() == 13u);  // t = 0 and 12 intervals
}

BOOST_AUTO_TEST_CASE(exchange_values_arrive_at_the_next_sync_point) {
  const City city = grid_city(100);
  Results r = run_simulation(test_scenario(), city, test_registry(), {});
  const Layer* produced = r.find_layer("producer.value");
  const Series& seen = r.series[0];
  // In interval k the consumer reads what the producer wrote in interval k-1 (recorded at time k).
  for (size_t k = 2; k < seen.values.size(); ++k) {
    double expected = 0;
    const float* row = produced->row(k - 1);
    for (size_t i = 0; i < 100; ++i) expected += std::sqrt(static_cast<double>(row[i])) * 1.000001;
    BOOST_TEST(std::abs(seen.values[k] - expected) < 1e-3);
  }
  // Interval 1 reads the values written in interval 0 ... and interval 0 reads the initial zeros.
  BOOST_TEST(seen.values[1] == 0.0);
}

BOOST_AUTO_TEST_CASE(interventions_take_effect_at_their_time) {
  const City city = grid_city(10);
  Results r = run_simulation(test_scenario(), city, test_registry(), {});
  const Layer* produced = r.find_layer("producer.value");
  for (size_t k = 1; k < produced->times_s.size(); ++k) {
    const double t0 = produced->times_s[k] - 600;  // the interval that ends at times_s[k]
    const bool shifted = t0 >= 3600;
    for (size_t i = 0; i < 10; ++i) BOOST_TEST((produced->row(k)[i] >= 10.0f) == shifted);
  }
}

BOOST_AUTO_TEST_CASE(two_runs_share_one_city_concurrently) {
  const City city = grid_city(2000);
  const Scenario sc = test_scenario();
  Results serial = run_simulation(sc, city, test_registry(), {});
  Results r1, r2;
  std::thread t1([&] { r1 = run_simulation(sc, city, test_registry(), {}); });
  std::thread t2([&] { r2 = run_simulation(sc, city, test_registry(), {}); });
  t1.join();
  t2.join();
  BOOST_TEST(r1.series[0].values == serial.series[0].values);
  BOOST_TEST(r2.series[0].values == serial.series[0].values);
}

BOOST_AUTO_TEST_CASE(unknown_model_and_bad_parameters_are_reported) {
  Scenario sc = test_scenario();
  sc.models["nosuch"] = ModelSection{{}, {"test.toml", 3, "models.nosuch"}};
  try {
    run_simulation(sc, grid_city(1), test_registry(), {});
    BOOST_FAIL("expected an error");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()) == "test.toml:3: models.nosuch: unknown model (models: consumer, producer)");
  }
}
