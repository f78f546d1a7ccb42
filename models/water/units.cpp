#include "models/water/units.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace citytwin::water {
namespace {

struct FlowUnitInfo {
  FlowUnits units;
  const char* name;
  double per_cfs;  // EPANET 2.2's factors (types.h), CMS from EPANET 2.3
};

constexpr std::array<FlowUnitInfo, 11> kFlowUnits{{
    {FlowUnits::CFS, "CFS", 1.0},
    {FlowUnits::GPM, "GPM", 448.831},
    {FlowUnits::MGD, "MGD", 0.64632},
    {FlowUnits::IMGD, "IMGD", 0.5382},
    {FlowUnits::AFD, "AFD", 1.9837},
    {FlowUnits::LPS, "LPS", 28.317},
    {FlowUnits::LPM, "LPM", 1699.0},
    {FlowUnits::MLD, "MLD", 2.4466},
    {FlowUnits::CMH, "CMH", 101.94},
    {FlowUnits::CMD, "CMD", 2446.6},
    {FlowUnits::CMS, "CMS", 0.028317},
}};

}  // namespace

double flow_units_per_cfs(FlowUnits units) {
  for (const auto& u : kFlowUnits)
    if (u.units == units) return u.per_cfs;
  return 1.0;
}

bool parse_flow_units(const std::string& word, FlowUnits& out) {
  std::string upper = word;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const auto& u : kFlowUnits) {
    if (upper == u.name) {
      out = u.units;
      return true;
    }
  }
  return false;
}

double UnitSystem::flow() const { return kCubicMetresPerCubicFoot / flow_units_per_cfs(flow_units); }

double UnitSystem::pressure_head() const {
  // EPANET: p_user = h_ft * Ucf[PRESSURE], with Ucf[PRESSURE] = 0.4333 SG (psi), 0.3048 SG (m),
  // 6.895 * 0.4333 SG (kPa).
  double user_per_foot = 1.0;
  switch (pressure_units) {
    case PressureUnits::PSI: user_per_foot = kPsiPerFoot * specific_gravity; break;
    case PressureUnits::METERS: user_per_foot = kMetresPerFoot * specific_gravity; break;
    case PressureUnits::KPA: user_per_foot = kKpaPerPsi * kPsiPerFoot * specific_gravity; break;
  }
  return kMetresPerFoot / user_per_foot;
}

std::string UnitSystem::flow_name() const {
  for (const auto& u : kFlowUnits)
    if (u.units == flow_units) return u.name;
  return "?";
}

std::string UnitSystem::pressure_name() const {
  switch (pressure_units) {
    case PressureUnits::PSI: return "psi";
    case PressureUnits::METERS: return "m";
    case PressureUnits::KPA: return "kPa";
  }
  return "?";
}

}  // namespace citytwin::water
