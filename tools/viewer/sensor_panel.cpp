#include "tools/viewer/sensor_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/core/time.hpp"
#include "engine/data/csv_io.hpp"

namespace citytwin::viewer {
namespace {

ImU32 im_color(const std::array<unsigned char, 3>& c) { return IM_COL32(c[0], c[1], c[2], 255); }

struct Metric {
  const char* name;
  double value;
  bool in_unit;  // in the quantity's unit (shown in the display unit)
};

std::vector<Metric> metric_rows(const FitMetrics& m) {
  return {{"MAE", m.mae, true},
          {"RMSE", m.rmse, true},
          {"MAPE %", m.mape_pct, false},
          {"NSE", m.nse, false},
          {"GEH<5 share", m.geh_lt5_share, false},
          {"CV(RMSE) %", m.cvrmse_pct, false},
          {"NMBE %", m.nmbe_pct, false}};
}

/// The acceptance a planner checks the fit against, for this quantity.
std::string acceptance(const SensorTrace& t, const FitMetrics& m) {
  if (t.role == "drive")
    return "driven: the model takes the measured value, so the fit is exact by construction";
  if (t.quantity == "traffic.flow" && std::isfinite(m.geh_lt5_share))
    return std::string("UK DMRB: GEH < 5 for at least 85 % of hours: ") +
           (m.geh_lt5_share >= 0.85 ? "met" : "not met");
  if (t.quantity.starts_with("energy.") && std::isfinite(m.cvrmse_pct) && std::isfinite(m.nmbe_pct))
    return std::string("ASHRAE Guideline 14 hourly: CV(RMSE) <= 30 % and |NMBE| <= 10 %: ") +
           (m.cvrmse_pct <= 30 && std::abs(m.nmbe_pct) <= 10 ? "met" : "not met");
  return render::fit_class(m.nse).label;
}

/// Measured and simulated over the run, with a time axis of local days (or hours for a short run), the
/// current time in red, and the values under the mouse as a tooltip.
void plot_pair(const SensorTrace& t, const DisplayUnit& unit, const Session& session) {
  const auto& times = t.times_s;
  if (times.size() < 2) return ImGui::TextUnformatted("(fewer than two recorded times)");
  double lo = INFINITY, hi = -INFINITY;
  for (const auto* series : {&t.measured, &t.simulated})
    for (double v : *series)
      if (std::isfinite(v)) lo = std::min(lo, v * unit.factor), hi = std::max(hi, v * unit.factor);
  if (!(lo <= hi)) return ImGui::TextUnformatted("(no values)");
  if (hi - lo < 1e-9 * std::max(1.0, std::abs(hi))) lo -= 1, hi += 1;
  const double pad = 0.05 * (hi - lo);
  lo -= pad, hi += pad;

  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float label_w = 62, axis_h = 18;
  const ImVec2 size(std::max(120.0f, ImGui::GetContentRegionAvail().x), 130);
  const ImVec2 p0(origin.x + label_w, origin.y + 7), p1(origin.x + size.x, origin.y + size.y - axis_h);
  const double t0 = times.front(), t1 = times.back();
  auto px = [&](double ts) { return p0.x + static_cast<float>((ts - t0) / (t1 - t0)) * (p1.x - p0.x); };
  auto py = [&](double v) { return p1.y - static_cast<float>((v - lo) / (hi - lo)) * (p1.y - p0.y); };
  dl->AddRectFilled(p0, p1, IM_COL32(30, 32, 36, 255));
  const ImU32 grid = IM_COL32(80, 84, 90, 255), text = IM_COL32(200, 200, 200, 255);

  // Value axis: bottom, middle and top.
  for (int k = 0; k <= 2; ++k) {
    const double v = lo + (hi - lo) * k / 2;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    const float y = py(v);
    dl->AddLine(ImVec2(p0.x, y), ImVec2(p1.x, y), grid);
    dl->AddText(ImVec2(origin.x, std::clamp(y - 7, origin.y, p1.y - 14)), text, buf);
  }
  // Time axis: local midnights for runs of two days or more, else every 3 hours.
  const auto& info = session.primary_run()->results.info;
  const TimeZone zone = TimeZone::find_or_utc(info.timezone);
  const bool days = t1 - t0 >= 2 * 86400;
  static const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  float free_x = p0.x;  // labels that would overlap the previous one are left out
  for (double ts = std::ceil(t0 / 3600) * 3600; ts <= t1; ts += 3600) {
    const CalendarTime c = local_time(static_cast<double>(info.start_unix_s) + ts, zone);
    if (days ? c.hour != 0 : c.hour % 3 != 0) continue;
    const float x = px(ts);
    dl->AddLine(ImVec2(x, p0.y), ImVec2(x, p1.y), grid);
    const std::string clock = format_clock(info.start_unix_s + static_cast<std::int64_t>(ts), zone);
    // format_clock: "2026-03-02 00:00 CET"; a day tick shows "Mon 2", an hour tick "06:00".
    const std::string label =
        days ? std::string(kDays[c.weekday]) + " " + std::to_string(std::stoi(clock.substr(8, 2)))
             : clock.substr(11, 5);
    if (x + 2 < free_x || x + 2 + ImGui::CalcTextSize(label.c_str()).x > p1.x) continue;
    dl->AddText(ImVec2(x + 2, p1.y + 2), text, label.c_str());
    free_x = x + 2 + ImGui::CalcTextSize(label.c_str()).x + 6;
  }
  // The series, broken where a value is missing.
  for (const auto& line : {std::pair{&t.measured, kMeasuredLineRgb}, std::pair{&t.simulated, kSimulatedLineRgb}}) {
    const auto* series = line.first;
    const auto color = line.second;  // a copy, not a structured binding: clang refuses those in lambdas
    std::vector<ImVec2> run;
    auto flush = [&] {
      if (run.size() > 1)
        dl->AddPolyline(run.data(), static_cast<int>(run.size()), im_color(color), ImDrawFlags_None, 2.0f);
      if (run.size() == 1) dl->AddCircleFilled(run[0], 2.0f, im_color(color));
      run.clear();
    };
    for (size_t k = 0; k < times.size(); ++k) {
      const double v = (*series)[k];
      if (!std::isfinite(v)) {
        flush();
        continue;
      }
      run.emplace_back(px(times[k]), py(v * unit.factor));
    }
    flush();
  }
  const double now = session.time();
  if (now >= t0 && now <= t1)
    dl->AddLine(ImVec2(px(now), p0.y), ImVec2(px(now), p1.y), IM_COL32(255, 80, 80, 255), 1.5f);

  ImGui::InvisibleButton("##chart", size);
  if (ImGui::IsItemHovered()) {
    const double ts = t0 + (ImGui::GetIO().MousePos.x - p0.x) / (p1.x - p0.x) * (t1 - t0);
    const size_t k = static_cast<size_t>(std::lower_bound(times.begin(), times.end(), ts) - times.begin());
    const size_t i = std::min(k, times.size() - 1);
    ImGui::SetTooltip("%s\nmeasured %.4g %s\nsimulated %.4g %s", session.time_text(times[i]).c_str(),
                      t.measured[i] * unit.factor, unit.unit.c_str(), t.simulated[i] * unit.factor,
                      unit.unit.c_str());
  }
  // Legend.
  for (const auto& [name, color] :
       {std::pair{"measured", kMeasuredLineRgb}, std::pair{"simulated", kSimulatedLineRgb}}) {
    const ImVec2 at = ImGui::GetCursorScreenPos();
    dl->AddLine(ImVec2(at.x, at.y + 7), ImVec2(at.x + 18, at.y + 7), im_color(color), 3.0f);
    ImGui::Dummy(ImVec2(22, 14));
    ImGui::SameLine();
    ImGui::Text("%s", name);
    ImGui::SameLine(0, 18);
  }
  ImGui::Text("[%s]  %s", unit.unit.c_str(),
              t.simulated_from.empty() ? "" : ("simulated: " + t.simulated_from).c_str());
}

}  // namespace

std::array<float, 4> sensor_panel_rect(int width, int height) {
  const float w = 500, h = 272;
  // Left of the right-hand panels, above the timeline: over the foreground of the home view, where a
  // picked pin is seldom (the home camera looks from the south).
  return {std::max(8.0f, static_cast<float>(width) - 342 - w),
          std::max(8.0f, static_cast<float>(height) - 100 - h), w, h};
}

DisplayUnit display_unit(const std::string& model_unit) {
  if (model_unit == "W") return {"kW", 1e-3};
  if (model_unit == "m/s") return {"km/h", 3.6};
  return {model_unit, 1};
}

void draw_sensor_panel(Session& session, int width, int height) {
  const auto k = session.selected_sensor();
  if (!k) return;
  const Run& run = *session.primary_run();
  const SensorTrace& t = run.results.sensors[*k];
  const FitMetrics& m = run.sensor_metrics[*k];
  const DisplayUnit unit = display_unit(t.unit);
  const auto r = sensor_panel_rect(width, height);
  ImGui::SetNextWindowPos(ImVec2(r[0], r[1]), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(r[2], r[3]), ImGuiCond_FirstUseEver);
  bool open = true;
  if (!ImGui::Begin("Sensor", &open)) return ImGui::End();
  ImGui::Text("%s   %s [%s]   %s feed %s", t.id.c_str(), t.quantity.c_str(), unit.unit.c_str(),
              t.role.c_str(), t.feed.c_str());
  if (t.element.empty())
    ImGui::TextUnformatted("city-wide (no element)");
  else if (t.snap_m > 0)
    ImGui::Text("on %s %s, snapped %.0f m from the sensor's position", t.set.c_str(), t.element.c_str(),
                t.snap_m);
  else
    ImGui::Text("on %s %s (given by the registry)", t.set.c_str(), t.element.c_str());
  if (ImGui::BeginTable("metrics", 9, ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("n");
    for (const auto& row : metric_rows(m)) ImGui::TableNextColumn(), ImGui::TextUnformatted(row.name);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("missing");
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%zu", m.n);
    for (const auto& row : metric_rows(m)) {
      ImGui::TableNextColumn();
      if (std::isfinite(row.value))
        ImGui::Text("%.3g", row.value * (row.in_unit ? unit.factor : 1));
      else
        ImGui::TextUnformatted("-");
    }
    ImGui::TableNextColumn();
    ImGui::Text("%zu", m.missing);
    ImGui::EndTable();
  }
  ImGui::TextWrapped("%s", acceptance(t, m).c_str());
  plot_pair(t, unit, session);
  ImGui::End();
  if (!open) session.select_sensor("");
}

std::string sensor_text(const Session& session) {
  const auto k = session.selected_sensor();
  if (!k) return "no sensor selected\n";
  const Run& run = *session.primary_run();
  const SensorTrace& t = run.results.sensors[*k];
  const FitMetrics& m = run.sensor_metrics[*k];
  std::ostringstream out;
  out << "sensor: " << t.id << "\nquantity: " << t.quantity << "\nunit: " << t.unit
      << "\nshown in: " << display_unit(t.unit).unit << "\nfeed: " << t.feed << "\nrole: " << t.role
      << "\nset: " << t.set << "\nelement: " << t.element << "\nsnap_m: " << format_number(t.snap_m)
      << "\nn: " << m.n << "\nmissing: " << m.missing << "\n";
  const char* keys[] = {"mae", "rmse", "mape_pct", "nse", "geh_lt5_share", "cvrmse_pct", "nmbe_pct"};
  const auto rows = metric_rows(m);
  for (size_t i = 0; i < rows.size(); ++i) out << keys[i] << ": " << format_number(rows[i].value) << "\n";
  out << "acceptance: " << acceptance(t, m) << "\npoints: " << t.times_s.size() << "\n";
  return out.str();
}

}  // namespace citytwin::viewer
