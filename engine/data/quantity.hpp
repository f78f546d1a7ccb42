#pragma once
/// What a sensor measures, in the twin's terms: each quantity's model unit, the element set its sensors sit
/// on and the result the twin computes for it; and the conversion of a feed's unit into the model unit.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin {

struct QuantityInfo {
  std::string name;    ///< "traffic.flow"
  std::string unit;    ///< the model unit values are converted to: "veh/h"
  std::string set;     ///< element set a sensor is placed on ("roads"); empty: the whole city (weather)
  std::string layer;   ///< the simulated layer on that set to compare with; or
  std::string series;  ///< the simulated city-wide series (set empty)
  std::string description;
  /// The element is a zone: a sensor without an element ID is placed on the element named by its `zone`.
  bool by_zone = false;
  /// The element's "type" attribute must be this ("tank"); empty: any element of the set.
  std::string element_type;
  /// A count labelled by the start of the interval it covers (as counters and SUMO's calibrator intervals
  /// are), while the simulated layer at a time covers the interval that ends there: the measured value
  /// beside a step is the one stamped at the step's start.
  bool labelled_by_start = false;
};

/// The quantity of that name, or null.
const QuantityInfo* find_quantity(std::string_view name);
/// Every quantity's name, for messages: "traffic.flow, traffic.speed, ...".
std::string quantity_names();

/// value_in_model_unit = value * factor + offset.
struct UnitConversion {
  double factor = 1;
  double offset = 0;
  double apply(double v) const { return v * factor + offset; }
};

/// How to convert a value in unit into the model unit (a QuantityInfo::unit); nullopt when unit does not
/// measure the same thing. Rates may be given per any duration: "veh/15min", "kWh/h", "m3/d", "L/min".
std::optional<UnitConversion> unit_conversion(std::string_view model_unit, std::string_view unit);
/// The units accepted for a model unit, for messages.
std::string unit_examples(std::string_view model_unit);

}  // namespace citytwin
