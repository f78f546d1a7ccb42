#include "engine/data/quantity.hpp"

#include <array>
#include <cctype>

#include "engine/core/time.hpp"

namespace citytwin {
namespace {

const std::vector<QuantityInfo>& quantities() {
  // name, model unit, element set, simulated layer, or series, description, by_zone, element_type, labelled_by_start
  static const std::vector<QuantityInfo> all = {
      {"traffic.flow", "veh/h", "roads", "traffic.flow", "", "vehicles entering the road per hour (a count)", false, "", true},
      {"traffic.speed", "m/s", "roads", "traffic.speed", "", "mean speed of the vehicles on the road", false, "", false},
      {"water.flow", "L/s", "water.pipes", "water.flow", "", "flow in a pipe, positive from start to end node", false, "", false},
      {"water.pressure", "m", "water.nodes", "water.pressure", "", "pressure head at a node", false, "", false},
      // A tank's level is its head above its bottom, which is the pressure head EPANET reports at the tank.
      {"water.tank_level", "m", "water.nodes", "water.pressure", "", "water level in a tank above its bottom", false, "tank", false},
      {"water.zone_inflow", "L/s", "water.zones", "water.zone_inflow", "",
       "net inflow of a district metered area through its boundary pipes", true, "", false},
      {"energy.building_electricity", "W", "buildings", "energy.demand", "", "electric demand of a building", false, "", false},
      {"weather.air_temperature", "C", "", "", "energy.outdoor_temperature", "outdoor air temperature", false, "", false},
  };
  return all;
}

struct Scale {
  std::string_view unit;
  double factor;
};

// Amounts whose rate ("amount/duration") gives a model unit, in that unit's amount (veh, L, J).
constexpr std::array kVehicles = {Scale{"veh", 1.0}};
// 1 US gallon = 3.785411784 L (NIST Handbook 44, Appendix C).
constexpr std::array kVolumes = {Scale{"L", 1.0}, Scale{"l", 1.0}, Scale{"m3", 1000.0}, Scale{"ML", 1e6},
                                 Scale{"gal", 3.785411784}, Scale{"Mgal", 3785411.784}};
constexpr std::array kEnergies = {Scale{"J", 1.0}, Scale{"Wh", 3600.0}, Scale{"kWh", 3.6e6}, Scale{"MWh", 3.6e9}};

/// "amount/duration" with amount in table: seconds of the duration go into the factor.
template <size_t N>
std::optional<double> rate_factor(std::string_view unit, const std::array<Scale, N>& amounts, double per_s) {
  const size_t slash = unit.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view amount = unit.substr(0, slash), per = unit.substr(slash + 1);
  for (const auto& a : amounts) {
    if (a.unit != amount) continue;
    // "h" alone is an hour; "15min" is fifteen minutes (parse_duration_s reads a bare unit as 0 of it).
    const std::string duration = std::isdigit(static_cast<unsigned char>(per.empty() ? 'x' : per[0]))
                                     ? std::string(per) : "1" + std::string(per);
    const auto s = parse_duration_s(duration);
    if (!s || *s <= 0) return std::nullopt;
    return a.factor * per_s / *s;
  }
  return std::nullopt;
}

std::optional<double> plain_factor(std::string_view unit, std::initializer_list<Scale> scales) {
  for (const auto& s : scales)
    if (s.unit == unit) return s.factor;
  return std::nullopt;
}

}  // namespace

const QuantityInfo* find_quantity(std::string_view name) {
  for (const auto& q : quantities())
    if (q.name == name) return &q;
  return nullptr;
}

std::string quantity_names() {
  std::string s;
  for (const auto& q : quantities()) s += (s.empty() ? "" : ", ") + q.name;
  return s;
}

std::optional<UnitConversion> unit_conversion(std::string_view model_unit, std::string_view unit) {
  std::optional<double> f;
  if (model_unit == "veh/h") {
    f = rate_factor(unit, kVehicles, 3600.0);
  } else if (model_unit == "m/s") {
    // 1 mph = 0.44704 m/s exactly (international mile).
    f = plain_factor(unit, {{"m/s", 1.0}, {"km/h", 1 / 3.6}, {"kph", 1 / 3.6}, {"mph", 0.44704}});
  } else if (model_unit == "L/s") {
    // gpm: US gallons per minute; MGD: million US gallons per day (as EPANET 2.2 reads them).
    f = plain_factor(unit, {{"gpm", 3.785411784 / 60}, {"GPM", 3.785411784 / 60}, {"MGD", 3785411.784 / kSecondsPerDay},
                            {"lps", 1.0}, {"LPS", 1.0}, {"cms", 1000.0}, {"CMH", 1000.0 / 3600}});
    if (!f) f = rate_factor(unit, kVolumes, 1.0);
  } else if (model_unit == "m") {
    // psi as EPANET 2.2 converts pressure head (0.4333 psi per ft of water, src/types.h PSIperFT);
    // kPa and bar as metres of water at 9.80665 kPa per m (conventional).
    f = plain_factor(unit, {{"m", 1.0}, {"ft", 0.3048}, {"psi", 0.3048 / 0.4333}, {"kPa", 1 / 9.80665},
                            {"bar", 100 / 9.80665}});
  } else if (model_unit == "W") {
    f = plain_factor(unit, {{"W", 1.0}, {"kW", 1e3}, {"MW", 1e6}});
    if (!f) f = rate_factor(unit, kEnergies, 1.0);
  } else if (model_unit == "C") {
    if (unit == "C" || unit == "degC" || unit == "°C") return UnitConversion{1, 0};
    if (unit == "F" || unit == "degF" || unit == "°F") return UnitConversion{5.0 / 9.0, -32.0 * 5.0 / 9.0};
    if (unit == "K") return UnitConversion{1, -273.15};
    return std::nullopt;
  }
  if (!f) return std::nullopt;
  return UnitConversion{*f, 0};
}

std::string unit_examples(std::string_view model_unit) {
  if (model_unit == "veh/h") return "veh/h, veh/15min, veh/min, veh/d";
  if (model_unit == "m/s") return "m/s, km/h, mph";
  if (model_unit == "L/s") return "L/s, L/min, m3/h, m3/s, gpm, MGD";
  if (model_unit == "m") return "m, ft, psi, kPa, bar";
  if (model_unit == "W") return "W, kW, MW, kWh/h, kWh/15min, Wh/15min";
  if (model_unit == "C") return "C, F, K";
  return std::string(model_unit);
}

}  // namespace citytwin
