#pragma once
// A small SUMO network (three edges meeting at a signalised junction) for the traffic demand fuzz targets.
#include "models/traffic/io/sumo_net.hpp"

namespace citytwin::traffic::fuzz {

inline const Network& tiny_network() {
  static const Network net = io::parse_sumo_net(R"(<net version="1.9">
  <edge id="a" from="J0" to="J1" priority="2"><lane id="a_0" index="0" speed="13.89" length="200"/></edge>
  <edge id="b" from="J1" to="J2" priority="2"><lane id="b_0" index="0" speed="13.89" length="200"/></edge>
  <edge id="c" from="J3" to="J1" priority="1"><lane id="c_0" index="0" speed="13.89" length="100"/></edge>
  <edge id="d" from="J2" to="J0" priority="1"><lane id="d_0" index="0" speed="13.89" length="400"/></edge>
  <tlLogic id="J1" type="static" programID="0" offset="0">
    <phase duration="30" state="Gr"/><phase duration="3" state="yr"/>
    <phase duration="30" state="rG"/><phase duration="3" state="ry"/>
  </tlLogic>
  <junction id="J0" type="priority" x="0" y="0" incLanes="d_0" intLanes=""><request index="0" response="0" foes="0"/></junction>
  <junction id="J1" type="traffic_light" x="200" y="0" incLanes="a_0 c_0" intLanes="">
    <request index="0" response="00" foes="10"/><request index="1" response="01" foes="01"/>
  </junction>
  <junction id="J2" type="priority" x="400" y="0" incLanes="b_0" intLanes=""><request index="0" response="0" foes="0"/></junction>
  <junction id="J3" type="dead_end" x="200" y="100" incLanes="" intLanes=""/>
  <connection from="a" to="b" fromLane="0" toLane="0" tl="J1" linkIndex="0" dir="s"/>
  <connection from="c" to="b" fromLane="0" toLane="0" tl="J1" linkIndex="1" dir="l"/>
  <connection from="b" to="d" fromLane="0" toLane="0" dir="t"/>
  <connection from="d" to="a" fromLane="0" toLane="0" dir="t"/>
</net>)",
                                                 "tiny.net.xml");
  return net;
}

}  // namespace citytwin::traffic::fuzz
