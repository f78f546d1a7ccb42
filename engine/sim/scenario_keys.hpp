#pragma once
/// Scenario keys set from outside the file: `citytwin run --set KEY=VALUE` and the parameters of a sweep.
/// A key is the dotted path of a value in the scenario's TOML ("models.energy.pv_share", "seed",
/// "period.duration"), with [N] for the N-th entry of an array of tables ("interventions[2].factor").
#include <cstdint>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <variant>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/sim/scenario.hpp"

namespace citytwin {

/// A value given to a key: TOML's scalars.
using KeyValue = std::variant<std::int64_t, double, bool, std::string>;

/// One key set to one value, and where that was asked for (a sweep file's line, a command-line argument).
struct KeySetting {
  std::string key;
  KeyValue value;
  SourceLocation where;  ///< element: "key 'KEY'"
};

/// Sets key to value in a scenario's tree. A key may be absent from the file (a model parameter left at its
/// default), but the table that holds it must be there. Returns what is wrong, or an empty string.
std::string set_scenario_key(toml::table& root, const std::string& key, const KeyValue& value);

/// The node at key in a scenario's tree, or null when the file does not give it.
const toml::node* find_scenario_key(const toml::table& root, const std::string& key);

/// What is wrong with giving value to a key whose value in the file is node: a string for a number, a
/// fraction for an integer, a number for true/false. Empty when the kinds agree.
std::string kind_mismatch(const toml::node& node, const KeyValue& value);

/// "KEY=VALUE" from the command line: VALUE read as a TOML value (0.5, 8000, true, "text"), else as the
/// string it is ("6h"). InputError naming the argument when there is no '=' or no key.
KeySetting parse_key_setting(std::string_view argument);

/// The value as runs.csv and `--set` write it: shortest round-trip numbers, true/false, strings as they are.
std::string format_key_value(const KeyValue& value);

/// A scenario's tree with settings applied (InputError at each setting that cannot be made).
toml::table tree_with(const toml::table& base, const std::vector<KeySetting>& settings);

/// A tree made by tree_with parsed and checked as load_scenario does. An error of the scenario about a set
/// key is reported at the setting's place ("sweep.toml:12: key 'models.energy.pv_share': ... (in
/// scenarios/baseline.toml:24)"); other errors keep the scenario's place.
Scenario scenario_with(const toml::table& root, const std::string& file, const std::vector<KeySetting>& settings);

/// Runs check on the scenario (a model registry's create, say) and reports its errors as scenario_with does.
template <typename Check>
void check_settings(const Scenario& scenario, const std::vector<KeySetting>& settings, Check&& check);

/// Moves the lines of error that name a set key to that setting's place (the rest are kept as they are).
InputError relocate_key_errors(const InputError& error, const std::vector<KeySetting>& settings);

/// A scenario's tree written back as TOML, headed by one comment line per setting (the results' copy).
std::string scenario_text_with(const toml::table& root, const std::string& file, const std::vector<KeySetting>& settings);

template <typename Check>
void check_settings(const Scenario& scenario, const std::vector<KeySetting>& settings, Check&& check) {
  try {
    check(scenario);
  } catch (const InputError& e) {
    throw relocate_key_errors(e, settings);
  }
}

}  // namespace citytwin
