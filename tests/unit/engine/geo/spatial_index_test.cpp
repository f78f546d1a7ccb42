#include "engine/geo/spatial_index.hpp"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>

#include "engine/core/random.hpp"

using namespace citytwin;

namespace {

/// What the index must equal: a scan over every element in index order, first of the smallest distance.
int scan_nearest(const std::vector<Point2>& pts, const std::vector<char>& usable, const Point2& p) {
  int best = -1;
  double best_d = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < pts.size(); ++i) {
    if (!usable[i] || !std::isfinite(pts[i].x)) continue;
    const double d = std::hypot(pts[i].x - p.x, pts[i].y - p.y);
    if (d < best_d) best_d = d, best = static_cast<int>(i);
  }
  return best;
}

int scan_nearest_line(const std::vector<Polyline>& lines, const Point2& p) {
  int best = -1;
  double best_d = std::numeric_limits<double>::infinity();
  for (size_t l = 0; l < lines.size(); ++l)
    for (size_t i = 0; i + 1 < lines[l].size(); ++i) {
      const double d = distance_to_segment(p, lines[l][i], lines[l][i + 1]);
      if (d < best_d) best_d = d, best = static_cast<int>(l);
    }
  return best;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(spatial_index)

// Random points, and a lattice where many points are equally near (ties go to the lowest index).
BOOST_AUTO_TEST_CASE(points_equal_a_scan) {
  auto rng = random_stream(3, 0, 0);
  std::vector<Point2> pts;
  for (int i = 0; i < 2000; ++i) pts.push_back({uniform01(rng) * 1000, uniform01(rng) * 1000});
  for (int i = 0; i < 20; ++i)
    for (int j = 0; j < 20; ++j) pts.push_back({i * 50.0, j * 50.0});
  pts.push_back({std::nan(""), 0});  // no coordinates: never the answer
  std::vector<char> usable(pts.size(), 1);
  for (size_t i = 0; i < usable.size(); i += 3) usable[i] = 0;
  const PointIndex all(pts), some(pts, usable);
  const std::vector<char> every(pts.size(), 1);
  for (int q = 0; q < 3000; ++q) {
    const Point2 p = q < 1000 ? Point2{uniform01(rng) * 1200 - 100, uniform01(rng) * 1200 - 100}
                              : Point2{(q % 41) * 25.0, (q / 41 % 41) * 25.0};  // midpoints between lattice points
    BOOST_TEST_REQUIRE(all.nearest(p) == scan_nearest(pts, every, p));
    BOOST_TEST_REQUIRE(some.nearest(p) == scan_nearest(pts, usable, p));
  }
  double d = 0;
  BOOST_TEST(all.nearest({50, 50}, &d) == 2000 + 21);
  BOOST_TEST(d == 0.0);
  BOOST_TEST(PointIndex(std::vector<Point2>{}).nearest({0, 0}) == -1);
}

BOOST_AUTO_TEST_CASE(polylines_equal_a_scan) {
  auto rng = random_stream(4, 0, 0);
  std::vector<Polyline> lines;
  for (int l = 0; l < 500; ++l) {
    Polyline line{{uniform01(rng) * 1000, uniform01(rng) * 1000}};
    for (int k = 0; k < 3; ++k) line.push_back({line.back().x + uniform01(rng) * 60 - 30, line.back().y + uniform01(rng) * 60 - 30});
    lines.push_back(line);
  }
  lines.push_back(lines[7]);  // a duplicate: equally near, the lower index wins
  const PolylineIndex index(lines);
  for (int q = 0; q < 3000; ++q) {
    const Point2 p{uniform01(rng) * 1100 - 50, uniform01(rng) * 1100 - 50};
    BOOST_TEST_REQUIRE(index.nearest(p) == scan_nearest_line(lines, p));
  }
  double d = -1;
  BOOST_TEST(index.nearest(lines[7][1], &d) == 7);
  BOOST_TEST(d == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
