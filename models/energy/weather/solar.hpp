#pragma once
/// Sun position and irradiance on tilted surfaces, hour by hour from a Weather file.
///  - Declination and equation of time: J. W. Spencer, "Fourier series representation of the position of the
///    sun", Search 2(5), 1971 (as given in M. Iqbal, An Introduction to Solar Radiation, 1983, sec. 1.2-1.4).
///  - Angles: J. A. Duffie, W. A. Beckman, Solar Engineering of Thermal Processes, 4th ed., 2013, sec. 1.6
///    (surface azimuth measured from south, west positive).
///  - Sky diffuse on a tilted plane: R. Perez, P. Ineichen, R. Seals, J. Michalsky, R. Stewart, "Modeling
///    daylight availability and irradiance components from direct and global irradiance", Solar Energy 44(5),
///    1990 (coefficients of its Table 6); air mass: F. Kasten, A. T. Young, Applied Optics 28(22), 1989.
#include <vector>

#include "models/energy/io/epw.hpp"

namespace citytwin::energy {

/// A plane: tilt from horizontal (0 = roof, pi/2 = wall) and azimuth from south, west positive (radians).
struct Plane {
  double tilt_rad = 0;
  double azimuth_rad = 0;
};

/// The sun over one record (hour), averaged over the part of the hour when it is above the horizon.
struct SunHour {
  double east = 0, north = 0, up = 0;  ///< mean unit vector towards the sun while it is above the horizon
  double cos_zenith = 0;     ///< = up; 0 when the sun stays down all hour
  double zenith_rad = 0;
  double extraterrestrial_wm2 = 0;  ///< normal incidence, outside the atmosphere
  bool is_up = false;

  /// Cosine of the beam's incidence angle on a plane (may be negative: the plane faces away).
  double cos_incidence(const Plane& p) const;
};

/// Sun position for every record of a weather file (sub-sampled 6 times per record). time_shift_h moves the
/// averaging window: 0 for the EPW convention (values over the hour ending at the stamp), +0.5 for files whose
/// values are centred on the stamp.
std::vector<SunHour> sun_hours(const Weather& w, double time_shift_h = 0);

/// The time shift (one of -0.5, 0, +0.5 h) under which the file's own irradiances agree best with
/// GHI = DNI cos(zenith) + DHI: files built from different sources do not all follow the EPW convention.
double irradiance_time_shift_h(const Weather& w);

/// Irradiance on a plane for one record (W/m2, means over the record).
struct PlaneIrradiance {
  double beam_wm2 = 0;
  double sky_diffuse_wm2 = 0;
  double ground_wm2 = 0;
  double cos_incidence = 0;  ///< of the beam, mean over the part of the hour the sun is up; <= 0: behind
  double total() const { return beam_wm2 + sky_diffuse_wm2 + ground_wm2; }
};

/// Perez 1990 transposition of (dni, dhi, ghi) onto a plane; ground albedo 0..1.
PlaneIrradiance plane_irradiance(const SunHour& sun, const Plane& plane, double dni_wm2, double dhi_wm2,
                                 double ghi_wm2, double albedo);

/// The hourly series of irradiance on one plane for a whole weather file.
std::vector<PlaneIrradiance> plane_series(const Weather& w, const std::vector<SunHour>& sun, const Plane& plane,
                                          double albedo = 0.2);

/// Sky temperature (deg C) from the horizontal infrared radiation: (IR / sigma)^(1/4) (EnergyPlus Engineering
/// Reference, "Sky Radiation Modeling").
double sky_temperature_c(double horizontal_ir_wm2);

/// Share of a surface's long-wave exchange that goes to the sky rather than to the ground and the air:
/// F_sky * beta with F_sky = (1 + cos tilt) / 2 and beta = sqrt(F_sky) (G. N. Walton, "Thermal Analysis
/// Research Program Reference Manual", NBSIR 83-2655, 1983; EnergyPlus Engineering Reference, "Exterior
/// long-wavelength radiation"). 1 for a roof, 0.354 for a wall.
double sky_long_wave_fraction(double tilt_rad);

}  // namespace citytwin::energy
