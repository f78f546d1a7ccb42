#pragma once
/// One thermal zone as the ISO 13790:2008 hourly simple method (5R1C network, Annex C), with ideal heating
/// and cooling to air-temperature set points (section C.4). Nodes: indoor air (theta_air), the "central"
/// surface node (theta_s) and the mass node (theta_m, capacity C_m); time integration by Crank-Nicolson on
/// theta_m as in the standard.
///
/// Departures from the standard's simple method, each the physically fuller form of what it approximates:
///  - the outside temperature seen by the opaque elements (H_tr,em) and the windows (H_tr,w) may differ from
///    the air temperature: sol-air temperatures carry the absorbed solar and the long-wave exchange with the
///    sky (ISO 13790 eq. 44-46 expressed as temperatures instead of heat flows into the zone);
///  - the share of internal gains to the air node is a parameter (0.5 in the standard).
namespace citytwin::energy {

/// Constant conductances (W/K) and capacity (J/K) of one zone.
struct ZoneRc {
  double floor_area_m2 = 0;
  double h_tr_w = 0;   ///< windows, doors (no mass)
  double h_tr_em = 0;  ///< opaque elements, outside to mass node
  double h_tr_ms = 0;  ///< mass node to surface node, h_ms * A_m (h_ms = 9.1 W/m2K)
  double h_tr_is = 0;  ///< surface node to air, h_is * A_t (h_is = 3.45 W/m2K)
  double c_m = 0;      ///< effective internal heat capacity
  double a_m_m2 = 0;   ///< effective mass area
  double a_t_m2 = 0;   ///< area of all surfaces facing the zone
  double h_tr_op() const { return 1 / (1 / h_tr_em + 1 / h_tr_ms); }
};

/// Builds the network from the zone's totals (ISO 13790 sec. 7.2.2, 12.2.2, 12.3.1): opaque transmission
/// H_tr,op (W/K), windows H_tr,w, effective mass area A_m and capacity C_m, total inner area A_t.
ZoneRc make_zone_rc(double floor_area_m2, double h_tr_op, double h_tr_w, double a_m_m2, double c_m, double a_t_m2);

/// One step's inputs. Heat flows in W, temperatures in deg C.
struct ZoneInputs {
  double theta_e_em = 0;  ///< outside temperature for the opaque elements (sol-air)
  double theta_e_w = 0;   ///< outside temperature for the windows
  double theta_sup = 0;   ///< ventilation / infiltration supply air
  double h_ve = 0;        ///< ventilation conductance, W/K
  double phi_ia = 0;      ///< gains to the air node
  double phi_st = 0;      ///< gains to the surface node
  double phi_m = 0;       ///< gains to the mass node
  double heat_set_c = 20, cool_set_c = 26;
  double heat_max_w = 1e30, cool_max_w = 1e30;  ///< capacity limits (positive numbers)
};

/// The gains split of ISO 13790 eq. C.1-C.3: the convective share of internal gains to the air; the radiative
/// share and the solar gains through windows to the mass (A_m / A_t) and surface nodes, less the part
/// H_tr,w / (9.1 A_t) that the standard leaves out (radiation absorbed by the windows, lost outwards).
struct GainSplit {
  double phi_ia, phi_st, phi_m, phi_lost;
};
GainSplit split_gains(const ZoneRc& z, double internal_w, double convective_fraction, double solar_w);

/// Node temperatures at the end of one step.
struct ZoneState {
  double theta_m = 20;  ///< mass node at the end of the step
};

struct ZoneStepResult {
  double phi_hc_w = 0;   ///< heating (> 0) or cooling (< 0) delivered to the air node
  double theta_air = 0;  ///< air temperature over the step
  double theta_s = 0;
  double theta_m_mean = 0;
};

/// Precomputed constants of one zone for a time step dt_s and a ventilation conductance (the network is
/// linear, so theta_air = a + b * phi_hc with b fixed).
struct ZoneStepper {
  ZoneStepper() = default;
  ZoneStepper(const ZoneRc& z, double dt_s) : rc(z), dt_s(dt_s) {}
  ZoneRc rc;
  double dt_s = 3600;

  /// Advances state by one step with ideal control; thread-safe (no shared mutable data).
  ZoneStepResult step(const ZoneInputs& in, ZoneState& state) const;
  /// The network's response to a given heating/cooling power, without control (state not changed).
  ZoneStepResult evaluate(const ZoneInputs& in, const ZoneState& state, double phi_hc_w, double& theta_m_end) const;
};

}  // namespace citytwin::energy
