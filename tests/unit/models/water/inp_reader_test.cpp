// The .inp reader: sections, units, odd spacing, and errors that point at file:line.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "models/water/io/inp_reader.hpp"
#include "models/water/report.hpp"
#include "models/water/units.hpp"

using namespace citytwin::water;

namespace {

// A small network exercising most sections, in SI units (LPS), with tabs, comments and odd spacing.
const char* kSmallSi = R"([TITLE]
small test network

[OPTIONS]
  UNITS   LPS   ; litres per second
 HEADLOSS   D-W
 Trials 50
  DEMAND MULTIPLIER 1.5

[JUNCTIONS]
;ID elev demand pattern
J1	10	5	P1	;
 "J 2"    12.5   2.0

[RESERVOIRS]
R1  50

[TANKS]
T1 40 3 1 6 10 0

[PIPES]
P1 R1 J1 1000 300 0.1 0 Open
P2 J1 "J 2" 500 200 0.1 2.5
P3 "J 2" T1 400 150 0.1 0 CV

[PATTERNS]
P1 1.0 0.5
P1 2.0

[TIMES]
 Duration 6:00
 Hydraulic Timestep 0:30
 Pattern Timestep 2 HOURS
 Report Timestep 1:00
 Start ClockTime 6 PM

[DEMANDS]
"J 2"  1.0  P1  ; fire
"J 2"  0.5

[END]
anything after END is ignored [BAD]
)";

std::string error_of(const std::string& text) {
  try {
    parse_inp(text, "net.inp");
  } catch (const citytwin::InputError& e) {
    return e.what();
  }
  return "";
}

// The first reported error only.
std::string first_error_of(const std::string& text) {
  const std::string all = error_of(text);
  return all.substr(0, all.find('\n'));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(inp_reader)

BOOST_AUTO_TEST_CASE(reads_net1) {
  const Network net = read_inp(std::string(CITYTWIN_TEST_DATA) + "/water/Net1.inp");
  BOOST_CHECK_EQUAL(net.num_nodes(), 11);
  BOOST_CHECK_EQUAL(net.num_junctions, 9);
  BOOST_CHECK_EQUAL(net.num_tanks(), 2);
  BOOST_CHECK_EQUAL(net.num_links(), 13);
  BOOST_CHECK_EQUAL(net.pumps.size(), 1u);
  BOOST_CHECK_EQUAL(net.controls.size(), 2u);
  // Junctions first, then the reservoir and the tank in file order.
  BOOST_CHECK_EQUAL(net.node_ids[9], "9");
  BOOST_CHECK_EQUAL(net.node_ids[10], "2");
  BOOST_CHECK(net.node_type[10] == NodeType::Tank);
  BOOST_CHECK_CLOSE(net.elevation_m[0], 710 * 0.3048, 1e-12);
  BOOST_CHECK_CLOSE(net.diameter_m[0], 18 * 0.0254, 1e-12);
  // 150 gpm through EPANET's 448.831 gpm/cfs.
  BOOST_CHECK_CLOSE(net.demand_base_m3s[net.demand_begin[1]], 150 / 448.831 * 0.028316846592, 1e-10);
  BOOST_CHECK_EQUAL(net.times.duration, 24 * 3600);
  BOOST_CHECK_EQUAL(net.times.pattern_step, 7200);
  BOOST_CHECK_EQUAL(net.options.trials, 40);
  BOOST_CHECK_EQUAL(net.options.extra_trials, 10);
  // Tank 2: level 120 ft above 850 ft.
  BOOST_CHECK_CLOSE(net.tanks[1].init_head_m, 970 * 0.3048, 1e-12);
  // Controls: tank level 110 ft -> grade 960 ft.
  BOOST_CHECK_CLOSE(net.controls[0].grade_m, 960 * 0.3048, 1e-12);
  BOOST_CHECK(net.controls[0].type == ControlType::LowLevel);
  // Pump 9: single-point curve 1500 gpm at 250 ft -> shutoff head 1.33334 * 250 ft.
  BOOST_CHECK_CLOSE(net.pumps[0].hmax_m, 1.33334 * 250 * 0.3048, 1e-10);
  // Non-hydraulic sections are kept.
  bool has_quality = false;
  for (const auto& s : net.raw_sections) has_quality |= s.name == "QUALITY" && s.lines.size() == 11;
  BOOST_CHECK(has_quality);
  BOOST_CHECK_CLOSE(net.x[0], 20.0, 1e-12);
}

BOOST_AUTO_TEST_CASE(si_units_spacing_quotes_and_demand_categories) {
  const Network net = parse_inp(kSmallSi, "small.inp");
  BOOST_CHECK(net.units.si);
  BOOST_CHECK(net.units.pressure_units == PressureUnits::METERS);
  BOOST_CHECK(net.options.headloss == HeadlossFormula::DarcyWeisbach);
  BOOST_CHECK_EQUAL(net.node_index.at("J 2"), 1);
  BOOST_CHECK_CLOSE(net.diameter_m[net.link_index.at("P1")], 0.3, 1e-12);
  BOOST_CHECK_CLOSE(net.roughness[0], 0.1e-3, 1e-9);  // mm -> m
  BOOST_CHECK(net.link_type[2] == LinkType::CVPipe);
  BOOST_CHECK_CLOSE(net.minor_loss[1], 2.5, 1e-12);
  // [DEMANDS] replaces the junction's own demand: two categories, the first named by its comment.
  const int j2 = 1;
  BOOST_CHECK_EQUAL(net.demand_begin[j2 + 1] - net.demand_begin[j2], 2);
  BOOST_CHECK_EQUAL(net.demand_category[net.demand_begin[j2]], "fire");
  BOOST_CHECK_CLOSE(net.demand_base_m3s[net.demand_begin[j2]], 1.0 / 28.317 * 0.028316846592, 1e-10);
  BOOST_CHECK_EQUAL(net.patterns[0].factors.size(), 3u);
  BOOST_CHECK_EQUAL(net.times.hydraulic_step, 1800);
  BOOST_CHECK_EQUAL(net.times.pattern_step, 7200);
  BOOST_CHECK_EQUAL(net.times.start_clocktime, 18 * 3600);
  BOOST_CHECK_CLOSE(net.options.demand_multiplier, 1.5, 1e-12);
  BOOST_CHECK_CLOSE(net.tanks[1].area_m2, M_PI * 25.0, 1e-10);
}

BOOST_AUTO_TEST_CASE(errors_name_file_and_line) {
  std::string base = kSmallSi;
  // Undefined node in a pipe (line 24 of the text above is P2).
  std::string bad = base;
  bad.replace(bad.find("P2 J1 \"J 2\""), 11, "P2 J1 J9   ");
  BOOST_CHECK_EQUAL(error_of(bad), "net.inp:23: undefined node J9");
  // A number that is not one.
  bad = base;
  bad.replace(bad.find("1000 300"), 8, "1000 3x0");
  BOOST_CHECK_EQUAL(error_of(bad), "net.inp:22: diameter: expected a number, got '3x0'");
  // Unknown section, unknown option, duplicate ID, bad tank levels, undefined pattern.
  BOOST_CHECK_EQUAL(error_of("[JUNK]\n"), "net.inp:1: unknown section [JUNK]");
  bad = base;
  bad.replace(bad.find(" Trials 50"), 10, " Trails 50");
  BOOST_CHECK_EQUAL(error_of(bad), "net.inp:7: unknown option Trails");
  bad = base;
  bad.replace(bad.find("R1  50"), 6, "J1  50");
  BOOST_CHECK_EQUAL(first_error_of(bad), "net.inp:16: duplicate node ID J1");
  bad = base;
  bad.replace(bad.find("T1 40 3 1 6"), 11, "T1 40 9 1 6");
  BOOST_CHECK_EQUAL(first_error_of(bad), "net.inp:19: tank T1: levels must satisfy 0 <= min <= initial <= max");
  bad = base;
  bad.replace(bad.find("5	P1"), 4, "5	PX");
  BOOST_CHECK_EQUAL(first_error_of(bad), "net.inp:12: undefined pattern PX");
  // Several errors are reported together, one per line.
  const std::string two = error_of("[JUNCTIONS]\nA x\nB 1 1 Q\n");
  BOOST_CHECK(two.find("net.inp:2: elevation: expected a number, got 'x'") != std::string::npos);
  BOOST_CHECK(two.find("\nnet.inp:3: undefined pattern Q") != std::string::npos);
  // No source at all.
  BOOST_CHECK(error_of("[JUNCTIONS]\nA 1\n").find("at least one reservoir or tank") != std::string::npos);
  BOOST_CHECK_EQUAL(error_of("x 1\n"), "net.inp:1: data before the first [SECTION] header");
}

BOOST_AUTO_TEST_CASE(sections_in_any_order) {
  const std::string text =
      "[PIPES]\nP1 R J 100 10 100\n[JUNCTIONS]\nJ 0 10\n[CONTROLS]\nLINK P1 CLOSED AT TIME 2\n"
      "[RESERVOIRS]\nR 100\n[STATUS]\nP1 Closed\n";
  const Network net = parse_inp(text, "order.inp");
  BOOST_CHECK_EQUAL(net.num_links(), 1);
  BOOST_CHECK(net.init_status[0] == LinkStatus::Closed);
  BOOST_CHECK_EQUAL(net.controls.size(), 1u);
  BOOST_CHECK_EQUAL(net.controls[0].time_s, 7200);
}

BOOST_AUTO_TEST_CASE(missing_file) {
  BOOST_CHECK_THROW(read_inp("/nonexistent/x.inp"), citytwin::InputError);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- tolerance: what EPANET 2.2's reader accepts ----------------------------------------------------------
// tests/data/water/tolerant/*.inp are written by make_variants.py there from the strict pumps.inp and Net1.inp
// as WNTR, the EPANET GUI and hand edits write them; EPANET 2.2 (epanet-js) gives each one byte for byte the
// results of its strict file. Here each must solve to the strict file's heads at every reporting period.

namespace {

std::vector<std::vector<double>> heads_by_period(const Network& net) {
  HydraulicRun run(net);
  std::vector<std::vector<double>> heads;
  run_extended_period(run, [&](const HydraulicRun& r) { heads.push_back(r.state().head_m); });
  return heads;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(inp_tolerance)

BOOST_AUTO_TEST_CASE(wntr_gui_and_hand_edited_forms_solve_to_the_strict_heads) {
  const std::string dir = std::string(CITYTWIN_TEST_DATA) + "/water/";
  for (const std::string strict : {"pumps", "Net1"}) {
    const Network ref_net = read_inp(dir + strict + ".inp");
    const auto ref = heads_by_period(ref_net);
    BOOST_REQUIRE_GT(ref.size(), 20u);
    for (const std::string form : {"wntr", "gui", "odd"}) {
      const std::string path = dir + "tolerant/" + strict + "." + form + ".inp";
      const Network net = read_inp(path);
      BOOST_REQUIRE_EQUAL(net.num_nodes(), ref_net.num_nodes());
      BOOST_REQUIRE_EQUAL(net.num_links(), ref_net.num_links());
      BOOST_CHECK_EQUAL(net.controls.size(), ref_net.controls.size());
      const auto heads = heads_by_period(net);
      BOOST_REQUIRE_EQUAL(heads.size(), ref.size());
      double worst = 0;
      for (size_t t = 0; t < ref.size(); ++t)
        for (size_t i = 0; i < ref[t].size(); ++i) worst = std::max(worst, std::abs(heads[t][i] - ref[t][i]));
      BOOST_CHECK_MESSAGE(worst < 1e-9, path << ": heads differ by " << worst << " m");
    }
  }
}

BOOST_AUTO_TEST_CASE(wntr_controls_are_read_as_epanet_reads_them) {
  // EPANET 2.2's controldata() looks the IDs up and does not check the words LINK, IF|AT and NODE.
  const std::string base =
      "[JUNCTIONS]\nJ 0 1\n[RESERVOIRS]\nR 100\n[TANKS]\nT-3 50 10 0 100 20\n[PUMPS]\nPUMP-1 R J POWER 10\n"
      "[PIPES]\nP1 J T-3 100 10 100\n[CONTROLS]\n";
  const Network a = parse_inp(base + "Pump PUMP-1 Open IF Tank T-3 below 90.75\nPipe P1 Closed AT TIME 3:30:00\n"
                                     "Link P1 1 AT CLOCKTIME 6 PM ; a setting opens a pipe\n", "wntr.inp");
  BOOST_REQUIRE_EQUAL(a.controls.size(), 3u);
  BOOST_CHECK(a.controls[0].type == ControlType::LowLevel);
  BOOST_CHECK_CLOSE(a.controls[0].grade_m, (50 + 90.75) * kMetresPerFoot, 1e-9);
  BOOST_CHECK_EQUAL(a.controls[1].time_s, 3 * 3600 + 1800);
  BOOST_CHECK(a.controls[2].status == LinkStatus::Open);
  BOOST_CHECK_EQUAL(a.controls[2].time_s, 18 * 3600);
  // What EPANET rejects is still rejected, at its line.
  BOOST_CHECK_EQUAL(first_error_of(base + "Pump PUMP-1 Open IF Tank T-4 below 9\n"), "net.inp:12: undefined node T-4");
  BOOST_CHECK_EQUAL(first_error_of(base + "Pump PUMP-1 Open IF Tank T-3 over 9\n"),
                    "net.inp:12: expected ABOVE or BELOW, got 'over'");
  BOOST_CHECK_EQUAL(first_error_of(base + "Pump PUMP-1 Open IF Tank T-3\n"),
                    "net.inp:12: expected IF NODE id ABOVE|BELOW value");
}

BOOST_AUTO_TEST_CASE(keyword_prefixes_defaults_and_rejections_follow_epanet) {
  const std::string net = "[JUNCTIONS]\nJ 0 1\n[RESERVOIRS]\nR 100\n[PIPES]\nP1 R J 100 10 100\n";
  // Missing option values are ignored, ACCURACY is kept within [1e-5, 0.1], keyword prefixes of EPANET's text.h.
  const Network a = parse_inp(net + "[OPTIONS]\nUNITS\nAccu 1e-9\nTrial 7\nUnba Cont 3\nSEGMENTS 4\nFOO\n"
                                    "[TIMES]\nDura 2 days\nHydr Time 30 min\nRepo Star 1:00:00\n"
                                    "[DEMANDS]\nMult 2\n",
                              "net.inp");
  BOOST_CHECK_CLOSE(a.options.accuracy, 1e-5, 1e-9);
  BOOST_CHECK_EQUAL(a.options.trials, 7);
  BOOST_CHECK_EQUAL(a.options.extra_trials, 3);
  BOOST_CHECK_EQUAL(a.times.duration, 48 * 3600);
  BOOST_CHECK_EQUAL(a.times.hydraulic_step, 1800);
  BOOST_CHECK_EQUAL(a.times.report_start, 3600);
  BOOST_CHECK_EQUAL(a.options.demand_multiplier, 2.0);
  // [STATUS]: the last token is the status, two IDs a range; a setting leaves a pipe alone.
  const Network b = parse_inp("[JUNCTIONS]\nJ 0 1\n[RESERVOIRS]\nR 100\nR2 90\n[PIPES]\nP1 R J 100 10 100\n"
                              "P2 J R2 100 10 100\n[STATUS]\nP1 P2 Closed\nP1 0.5\n",
                              "s.inp");
  BOOST_CHECK(b.init_status[0] == LinkStatus::Closed && b.init_status[1] == LinkStatus::Closed);
  // A [TANKS] line of up to three tokens is a reservoir, as in EPANET's tankdata().
  const Network c = parse_inp("[JUNCTIONS]\nJ 0 1\n[TANKS]\nR 100\n[PIPES]\nP1 R J 100 10 100\n", "t.inp");
  BOOST_CHECK(c.node_type[1] == NodeType::Reservoir);
  // Rejected by EPANET 2.2 (checked with epanet-js): an abbreviated header, REPORT STEP, a pattern line
  // without multipliers.
  BOOST_CHECK_EQUAL(first_error_of("[JUNC]\nJ 0\n"), "net.inp:1: unknown section [JUNC]");
  BOOST_CHECK_EQUAL(first_error_of(net + "[TIMES]\nReport Step 1:00\n"),
                    "net.inp:8: expected Report TIMESTEP or Report START, got 'Step'");
  BOOST_CHECK_EQUAL(first_error_of(net + "[PATTERNS]\nP\n"), "net.inp:8: pattern P: no multipliers on the line");
}

BOOST_AUTO_TEST_SUITE_END()
