#pragma once
/// The viewer's state without any window: the loaded runs (A, the baseline, and B, a what-if), their
/// scenes, the colouring, the time, the selection, the what-if being drafted and the background run.
/// The UI panels and the scripted sessions both drive it; tests can drive it without a display.
/// Not thread-safe: use it from the thread that draws (the background run lives in RunJob).
#include <memory>
#include <optional>
#include <osg/Group>
#include <string>
#include <vector>

#include "engine/data/results.hpp"
#include "engine/data/validation_metrics.hpp"
#include "engine/render/city_scene.hpp"
#include "engine/render/sensor_markers.hpp"
#include "engine/render/vehicles.hpp"
#include "tools/viewer/run_job.hpp"
#include "tools/viewer/whatif.hpp"

namespace citytwin::viewer {

/// One loaded run. The scene refers to results, so a Run never moves (held by unique_ptr).
struct Run {
  std::string source;         ///< what was opened: a scenario file or a results directory
  std::string scenario_file;  ///< the scenario it came from, when known (for what-ifs)
  std::string scenario_text;
  Results results;
  std::unique_ptr<render::CityScene> scene;
  /// Moving vehicles, when the run recorded their positions (render::kVehicleTable); drawn under the
  /// scene's root, shown and hidden as the set "vehicles".
  std::unique_ptr<render::Vehicles> vehicles;
  /// Elements its scenario's interventions take out of service, drawn in render::kClosedColor meanwhile.
  std::vector<Closure> closures;
  /// Pins of its sensors placed on elements (null without sensors); shown and hidden as the set "sensors".
  std::unique_ptr<render::SensorMarkers> sensors;
  /// Per sensor (as results.sensors): the fit metrics, computed from the paired series as validation.csv's.
  std::vector<FitMetrics> sensor_metrics;
};

/// What the sensors' pins are coloured by.
enum class SensorColoring { quantity, fit };

/// What the main view shows.
enum class ViewMode { a, b, difference, side_by_side };

struct Message {
  bool error = false;
  std::string text;
};

/// A picked element and what the selection panel shows about it.
struct Selection {
  std::string set;
  std::uint32_t element = 0;
  std::string id;
  std::vector<std::pair<std::string, std::string>> attributes;  ///< static attributes, as text
  /// Every layer recorded on the element's set, with the element's values through time.
  struct Trace {
    std::string layer, unit;
    std::vector<double> times_s;
    std::vector<float> values;
  };
  std::vector<Trace> traces;
};

class Session {
 public:
  /// citytwin_exe runs scenarios (`citytwin run`) in the background. work_dir holds their results; it is
  /// created when missing and removed with the session when made here (empty = a fresh temporary folder).
  explicit Session(std::string citytwin_exe, std::string work_dir = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Loading. Errors never throw: they become messages (and the previous state stays).
  /// Opens a results directory at once, or starts running a scenario file in the background as A.
  void open(const std::string& path);
  /// Call once per frame: finishes background runs.
  void poll();
  bool busy() const { return job_ != nullptr; }
  double job_progress() const { return job_ ? job_->progress() : 0; }
  std::string job_status() const { return job_ ? job_->status() : std::string(); }

  const Run* a() const { return a_.get(); }
  const Run* b() const { return b_.get(); }

  // Colouring and time.
  std::vector<std::string> layers() const;  ///< what can be coloured by, discovered from A's results
  /// Sets the layer ("" = default colours). Unknown layers give an error message and leave it unchanged.
  bool set_layer(const std::string& layer);
  const std::string& layer() const { return layer_; }
  bool set_color_map(const std::string& name);
  const std::string& color_map() const { return color_map_; }
  void set_range(std::optional<double> min, std::optional<double> max);
  std::optional<double> range_min() const { return min_; }
  std::optional<double> range_max() const { return max_; }
  /// Seconds from the start, clamped to the run's period.
  void set_time(double t_s);
  double time() const { return time_s_; }
  double duration() const;
  /// Step of the current layer's record (or the run's step) for the time slider.
  double step() const;
  /// Text of a time: "2026-07-13 08:00 UTC".
  std::string time_text(double t_s) const;
  /// Parses "08:00", "+2h" or a date-time against A's start; nullopt when unparseable.
  std::optional<double> parse_time(const std::string& text) const;

  bool set_view(ViewMode mode);
  ViewMode view() const { return view_; }
  /// Element set visibility, by set name (in both runs' scenes).
  void set_visible(const std::string& set, bool visible);
  bool visible(const std::string& set) const;

  /// Recolours the scenes shown when the layer, time step, map, range or view changed (no geometry is
  /// rebuilt). Returns true when something was recoloured. Errors become messages.
  bool refresh_colors();
  /// Moves the vehicles of the runs shown to the current time (nothing when it did not change). Returns
  /// the number of vehicles shown in the primary view.
  size_t update_vehicles();
  /// The number of vehicles shown in the primary view by the last update_vehicles().
  size_t vehicles_shown() const { return vehicles_shown_; }
  const render::LegendInfo& legend() const { return legend_; }
  /// The scene of the primary view (A, or B in B/difference mode), and the second one in side by side.
  render::CityScene* primary_scene() const;
  render::CityScene* secondary_scene() const;
  const Run* primary_run() const;

  // Picking.
  /// Selects an element of the primary scene (by set index and element index); nullopt clears.
  void select(std::optional<render::PickHit> hit);
  /// Selects by set name and element ID; false (and a message) when there is no such element.
  bool select_id(const std::string& set, const std::string& id);
  const std::optional<Selection>& selection() const { return selection_; }
  /// The selection panel's content as text (what the panel shows, for scripts and tests).
  std::string selection_text() const;

  // Sensors.
  /// Selects the primary run's sensor of that ID and the element it sits on ("" clears the sensor only);
  /// false (and a message) when the run has no such sensor.
  bool select_sensor(const std::string& id);
  /// The selected sensor's index in the primary run's results.sensors.
  std::optional<size_t> selected_sensor() const;
  void set_sensor_coloring(SensorColoring coloring);
  SensorColoring sensor_coloring() const { return sensor_coloring_; }

  // What-if.
  std::vector<InterventionDraft>& drafts() { return drafts_; }
  /// Models of A's scenario (the choice for a draft's model).
  std::vector<std::string> models() const;
  /// Writes the what-if scenario from A plus the drafts and runs it in the background as B.
  bool run_whatif();
  /// The last what-if scenario's text (empty before one was made).
  const std::string& whatif_text() const { return whatif_text_; }
  /// Writes the last what-if scenario to path (temporary name, then rename).
  bool save_whatif(const std::string& path);
  /// KPI rows: name, unit, A's value, B's value (NaN when a run lacks it).
  struct KpiRow {
    std::string name, unit;
    double a = 0, b = 0;
  };
  std::vector<KpiRow> kpis() const;

  // Messages for the message bar (the newest last).
  const std::vector<Message>& messages() const { return messages_; }
  void info(const std::string& text);
  void error(const std::string& text);
  /// Bumped whenever the scenes shown change (a run loaded, the view changed): the window swaps roots.
  unsigned scene_generation() const { return generation_; }

 private:
  /// scenario: the scenario file the results came from, when known (else the one the results name, or
  /// their own copy).
  std::unique_ptr<Run> load_run(const std::string& results_dir, const std::string& source,
                                const std::string& scenario = {});
  void start_job(const std::string& scenario, bool as_b);
  void pick_default_layer();
  /// Colours and marks the runs' sensor pins after the colouring or the selection changed.
  void apply_sensor_marks();

  std::string exe_;
  std::string work_dir_;
  bool own_work_dir_ = false;
  int job_count_ = 0;
  std::unique_ptr<Run> a_, b_;
  std::unique_ptr<RunJob> job_;
  bool job_is_b_ = false;
  std::string job_source_;

  std::string layer_, color_map_;
  std::optional<double> min_, max_;
  double time_s_ = 0;
  ViewMode view_ = ViewMode::a;
  // Districts are flat slabs as large as the city: drawn, they hide the streets and pipes beneath, so they
  // start hidden (the Layers panel shows them; a sensor on a district keeps its pin).
  std::vector<std::string> hidden_ = {"water.zones"};
  render::LegendInfo legend_;
  std::string applied_key_;
  /// The scene generation and, per closure of the runs shown, whether it held, when the marks were set.
  std::optional<std::pair<unsigned, std::vector<bool>>> closed_key_;
  /// The scene generation and time the vehicles were last moved for.
  std::optional<std::pair<unsigned, double>> vehicles_key_;
  size_t vehicles_shown_ = 0;
  unsigned generation_ = 0;

  std::optional<Selection> selection_;
  std::string sensor_id_;
  SensorColoring sensor_coloring_ = SensorColoring::quantity;
  std::vector<InterventionDraft> drafts_;
  std::string whatif_text_;
  std::vector<Message> messages_;
};

const char* to_string(ViewMode mode);
std::optional<ViewMode> view_mode_from(const std::string& name);

}  // namespace citytwin::viewer
