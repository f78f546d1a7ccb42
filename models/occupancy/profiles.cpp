#include "models/occupancy/profiles.hpp"

#include <cmath>

namespace citytwin::occupancy {
namespace {

using Day = std::array<double, 24>;
struct Profile {
  Day weekday, weekend;
};

// Hourly presence fractions (value for the hour starting at h), shaped after the occupancy schedules of
// ASHRAE Standard 90.1 User's Manual (Appendix G building-area schedules) for office, retail and
// residential; public and industrial after the school and factory schedules of the same family.
// Order: residential, commercial, office, industrial, public, other.
constexpr std::array<Profile, kUseClassCount> kProfiles{{
    {{1, 1, 1, 1, 1, 1, 1, .85, .39, .25, .25, .25, .25, .25, .25, .25, .30, .52, .87, .87, .87, 1, 1, 1},
     {1, 1, 1, 1, 1, 1, 1, 1, .9, .7, .5, .5, .5, .5, .5, .5, .6, .7, .85, .9, .9, 1, 1, 1}},
    {{0, 0, 0, 0, 0, 0, 0, .1, .2, .5, .5, .7, .7, .7, .7, .8, .7, .5, .3, .3, .1, 0, 0, 0},
     {0, 0, 0, 0, 0, 0, 0, .1, .2, .5, .6, .8, .9, .9, .9, .8, .7, .5, .3, .2, .1, 0, 0, 0}},
    {{0, 0, 0, 0, 0, 0, .1, .2, .95, .95, .95, .95, .5, .95, .95, .95, .95, .3, .1, .1, .1, .1, .05, .05},
     {0, 0, 0, 0, 0, 0, 0, 0, .1, .1, .1, .1, .1, .1, .1, .1, .05, .05, 0, 0, 0, 0, 0, 0}},
    {{.05, .05, .05, .05, .05, .05, .2, .9, .9, .9, .9, .9, .6, .9, .9, .9, .9, .5, .2, .05, .05, .05, .05, .05},
     {.05, .05, .05, .05, .05, .05, .05, .1, .1, .1, .1, .1, .1, .1, .1, .1, .05, .05, .05, .05, .05, .05, .05, .05}},
    {{0, 0, 0, 0, 0, 0, 0, .05, .75, .9, .9, .8, .8, .8, .8, .45, .15, .05, .05, .15, .2, .2, .1, 0},
     {0, 0, 0, 0, 0, 0, 0, 0, .05, .1, .2, .2, .2, .2, .2, .1, .05, 0, 0, 0, 0, 0, 0, 0}},
    // Untyped buildings ("building=yes"): an even mix of residential and commercial use.
    {{.5, .5, .5, .5, .5, .5, .5, .48, .3, .38, .38, .48, .48, .48, .48, .53, .5, .51, .59, .59, .49, .5, .5, .5},
     {.5, .5, .5, .5, .5, .5, .5, .55, .55, .6, .55, .65, .7, .7, .7, .65, .65, .6, .58, .55, .5, .5, .5, .5}},
}};

// Floor area per person at full occupancy [m2]: residential from Monaco's density (about 39,000 residents,
// IMSEE 2022) over the residential floor area of the bundled extract, rounded; the others after the
// occupant densities of ASHRAE 62.1-2019 Table 6.2.2.1 (office 5 /100 m2 gives 20; retail 15 /100 m2 on the
// sales floor, here spread over the whole building) and EN 16798-1 Annex B.
constexpr std::array<double, kUseClassCount> kAreaPerPerson{{60, 25, 20, 50, 15, 50}};

}  // namespace

double floor_area_per_person_m2(UseClass use) { return kAreaPerPerson[static_cast<int>(use)]; }

double presence(UseClass use, double hour, bool weekend) {
  const auto& p = kProfiles[static_cast<int>(use)];
  const Day& day = weekend ? p.weekend : p.weekday;
  hour = std::fmod(std::fmod(hour, 24.0) + 24.0, 24.0);
  const int h0 = static_cast<int>(hour);
  const double f = hour - h0;
  return day[h0] * (1 - f) + day[(h0 + 1) % 24] * f;
}

}  // namespace citytwin::occupancy
