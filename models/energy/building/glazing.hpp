#pragma once
/// Solar-optical and thermal model of clear glazing of one or two identical panes, from the normal-incidence
/// solar transmittance and reflectance of one pane:
///  - angular dependence: Fresnel reflection (s and p polarisations) at each face and Bouguer-Lambert
///    absorption along the refracted path, multiple reflections summed (J. A. Duffie, W. A. Beckman, Solar
///    Engineering of Thermal Processes, 4th ed., 2013, sec. 5.1-5.3);
///  - refractive index and absorption fitted to the pane's normal transmittance and reflectance;
///  - heat transfer: EN 673 gas-gap conductance (radiation + conduction, Nusselt 1) and ISO 6946 surface
///    resistances; the absorbed solar flows inwards in proportion to the resistance on its outer side.
namespace citytwin::energy {

struct PaneSpec {
  double solar_transmittance = 0.834;  ///< at normal incidence
  double solar_reflectance = 0.075;    ///< at normal incidence
  double thickness_m = 0.003048;
  double conductivity_w_mk = 1.0;
  double ir_emissivity = 0.84;
};

class Glazing {
 public:
  /// panes: 1 or 2; gap_m: the air gap between two panes.
  Glazing(const PaneSpec& pane, int panes, double gap_m, double r_si_m2k_w = 0.13, double r_se_m2k_w = 0.04);

  /// Solar heat gain coefficient for beam radiation at an incidence angle (cos <= 0: 0).
  double shgc(double cos_incidence) const;
  /// Transmitted fraction only (no absorbed-and-reradiated part).
  double transmittance(double cos_incidence) const;
  /// Hemispherically averaged SHGC, for sky and ground diffuse radiation.
  double shgc_diffuse() const { return shgc_diffuse_; }
  /// Centre-of-glass U-value including the surface resistances (W/m2K).
  double u_value() const { return u_value_; }
  double refractive_index() const { return n_; }

 private:
  struct Optics {
    double t, a_outer, a_inner;
  };
  Optics optics(double cos_incidence) const;
  int panes_;
  double n_ = 1.526, tau_a0_ = 0.9, thickness_ = 0.003;
  double inward_outer_ = 0, inward_inner_ = 0;
  double u_value_ = 0, shgc_diffuse_ = 0;
};

}  // namespace citytwin::energy
