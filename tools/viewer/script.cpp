#include "tools/viewer/script.hpp"

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/core/error.hpp"

namespace citytwin::viewer {

std::vector<ScriptCommand> load_script(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError({path, 0, ""}, "cannot read the script");
  // name -> {min args, max args}
  static const std::map<std::string, std::pair<size_t, size_t>> kArity{{"open", {1, 1}},
                                                                       {"wait", {0, 0}},
                                                                       {"layer", {1, 1}},
                                                                       {"colormap", {1, 1}},
                                                                       {"range", {1, 2}},
                                                                       {"time", {1, 1}},
                                                                       {"play", {1, 1}},
                                                                       {"pause", {0, 0}},
                                                                       {"show", {1, 1}},
                                                                       {"hide", {1, 1}},
                                                                       {"view", {1, 1}},
                                                                       {"panels", {1, 1}},
                                                                       {"size", {2, 2}},
                                                                       {"home", {0, 0}},
                                                                       {"orbit", {1, 1}},
                                                                       {"click", {2, 2}},
                                                                       {"click-element", {2, 2}},
                                                                       {"select", {2, 2}},
                                                                       {"select-sensor", {1, 1}},
                                                                       {"click-sensor", {1, 1}},
                                                                       {"sensor-colors", {1, 1}},
                                                                       {"intervene", {3, 64}},
                                                                       {"whatif", {0, 0}},
                                                                       {"save-whatif", {1, 1}},
                                                                       {"frames", {1, 1}},
                                                                       {"screenshot", {1, 1}},
                                                                       {"write-selection", {1, 1}},
                                                                       {"write-kpis", {1, 1}},
                                                                       {"write-sensor", {1, 1}},
                                                                       {"expect-selected", {2, 2}},
                                                                       {"expect-sensor", {1, 1}},
                                                                       {"expect-message", {1, 64}},
                                                                       {"expect-no-error", {0, 0}},
                                                                       {"quit", {0, 0}}};
  std::vector<ScriptCommand> out;
  ErrorList errors;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    // A comment starts at a '#' that begins a word: element IDs hold '#' too ("w4097656#0").
    for (size_t hash = text.find('#'); hash != std::string::npos; hash = text.find('#', hash + 1))
      if (hash == 0 || std::isspace(static_cast<unsigned char>(text[hash - 1]))) {
        text.erase(hash);
        break;
      }
    std::istringstream words(text);
    ScriptCommand c;
    c.line = line;
    if (!(words >> c.name)) continue;
    for (std::string w; words >> w;) c.args.push_back(w);
    auto it = kArity.find(c.name);
    if (it == kArity.end()) {
      errors.add({path, line, c.name}, "unknown command");
      continue;
    }
    if (c.args.size() < it->second.first || c.args.size() > it->second.second) {
      errors.add({path, line, c.name}, "expected " + std::to_string(it->second.first) +
                                           (it->second.second > it->second.first ? " or more" : "") +
                                           " arguments");
      continue;
    }
    out.push_back(std::move(c));
  }
  errors.throw_if_any();
  return out;
}

}  // namespace citytwin::viewer
