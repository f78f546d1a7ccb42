#pragma once
/// What-if scenarios made in the viewer: a base scenario plus interventions, written as scenario TOML that
/// `citytwin run` reproduces.
#include <string>
#include <vector>

namespace citytwin::viewer {

/// One intervention as the planner typed it. The fields are those of a scenario's `[[interventions]]`
/// entry (engine/sim/scenario.hpp); the model checks them when the what-if runs.
struct InterventionDraft {
  std::string at = "+0h";  ///< as in the scenario: "HH:MM", "+2h" from the start, a date-time
  std::string until;       ///< empty = to the end
  std::string model;
  std::string action;
  std::string target;
  std::string params;  ///< further keys as TOML, e.g. "factor = 0.5"
};

/// The scenario text of a what-if: the base scenario's TOML (base_text, read from base_file) with `name`
/// set, the drafts appended to its interventions, and every relative path that names an existing file
/// next to base_file made absolute, so the new file runs from any folder. Throws InputError naming the
/// base file or the draft's parameter text when either is not valid TOML.
std::string whatif_scenario_text(const std::string& base_text, const std::string& base_file,
                                 const std::string& name, const std::vector<InterventionDraft>& drafts);

/// An element that an intervention takes out of service for a while (a closed road or pipe, a line or
/// substation outage): the viewer draws it in the closed style while it lasts.
struct Closure {
  std::string set;  ///< element set of the results, e.g. "roads"
  std::string id;   ///< element ID (the intervention's target)
  double at_s = 0, until_s = 0;
  /// Whether it holds at t (seconds from the start): from at_s up to, not including, until_s.
  bool active(double t) const { return t >= at_s && t < until_s; }
};

/// The closures among a scenario's interventions. Which actions close which set is listed in whatif.cpp
/// (kClosingActions): a model that adds such an action registers it there. Throws InputError for a
/// scenario that does not parse.
std::vector<Closure> scenario_closures(const std::string& text, const std::string& file);

/// The names of the models a scenario enables ([models.NAME]), for the what-if panel. Empty on bad TOML.
std::vector<std::string> scenario_models(const std::string& text);

}  // namespace citytwin::viewer
