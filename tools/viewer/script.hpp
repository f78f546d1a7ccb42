#pragma once
/// Scripted viewer sessions: one command per line, a word starting with `#` starts a comment (a `#` inside
/// a word, as in the road ID w4097656#0, does not). A script drives the same Session
/// and window as a person does, so that a session can run under xvfb-run without one.
///
///   open PATH                    scenario file (run in the background) or results directory
///   wait                         until the background run is done (frames keep being drawn)
///   layer NAME | layer none      colour by a layer or attribute
///   colormap NAME                viridis, traffic, diverging, heat
///   range MIN MAX | range auto   colour scale bounds
///   time TIME                    seek: HH:MM, +2h, a date-time, or seconds
///   play SPEED | pause           playback at SPEED simulated seconds per second
///   show SET | hide SET          element set visibility
///   view a|b|difference|side-by-side
///   panels on|off                the ImGui panels (off: clean pictures of the 3D view)
///   size W H                     resize the window
///   home                         the camera back to its home position
///   orbit DEG                    turn the camera about the vertical through the centre
///   click X Y                    a left click at window pixel X, Y (from the top-left), through the events
///   click-element SET ID         a click on the projected anchor of an element
///   select SET ID                select without clicking
///   select-sensor ID|none        select a sensor (and the element it sits on) without clicking
///   click-sensor ID              a click on the head of the sensor's pin
///   sensor-colors quantity|fit   colour the pins by quantity or by their fit (NSE classes)
///   intervene MODEL ACTION TARGET [at=TIME] [until=TIME] [KEY=VALUE ...]   add an intervention draft;
///                                TARGET @pick = the selected element's ID, @pick.ATTR = its attribute
///   whatif                       run the drafts as scenario B in the background
///   save-whatif FILE             write the what-if scenario TOML
///   frames N                     draw N frames
///   screenshot FILE              PNG of the window
///   write-selection FILE         the selection panel's content as text
///   write-kpis FILE              the KPI panel (name, unit, A, B) as CSV
///   write-sensor FILE            the Sensor window's content as text
///   expect-selected SET ID       fail the script unless that element is selected ("none none": nothing)
///   expect-sensor ID|none        fail unless that sensor is selected (none: no sensor)
///   expect-message TEXT          fail unless a message so far contains TEXT
///   expect-no-error              fail if any error message was shown
///   quit
#include <string>
#include <vector>

namespace citytwin::viewer {

struct ScriptCommand {
  std::string name;
  std::vector<std::string> args;
  int line = 0;
};

/// Reads and checks a script (command names and argument counts). Throws InputError "file:line: ...".
std::vector<ScriptCommand> load_script(const std::string& path);

}  // namespace citytwin::viewer
