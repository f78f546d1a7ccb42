#include "engine/render/vehicles.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <osg/ShadeModel>

#include "engine/core/error.hpp"

namespace citytwin::render {
Vehicles::Vehicles(const Table& table) : node_(new osg::Geode), geometry_(new osg::Geometry) {
  const SourceLocation where{"", 0, "table " + table.name};
  size_t col[6];
  const char* names[6] = {"t_s", "vehicle", "x_m", "y_m", "heading_rad", "speed_mps"};
  for (int i = 0; i < 6; ++i) {
    const auto c = table.column(names[i]);
    if (!c) {
      std::string have;
      for (const auto& n : table.columns) have += (have.empty() ? "" : ", ") + n;
      throw InputError(where, std::string("no column ") + names[i] + " (columns: " + have + ")");
    }
    col[i] = *c;
  }
  struct Row {
    double id;
    Sample s;
  };
  std::vector<Row> rows;
  rows.reserve(table.rows());
  for (size_t r = 0; r < table.rows(); ++r) {
    Row row{table.at(r, col[1]),
            {table.at(r, col[0]), table.at(r, col[2]), table.at(r, col[3]), table.at(r, col[4]),
             table.at(r, col[5])}};
    // A missing heading or speed is drawn (heading east, slowest colour); a missing time or place is not.
    if (!std::isfinite(row.id) || !std::isfinite(row.s.t) || !std::isfinite(row.s.x) ||
        !std::isfinite(row.s.y))
      throw InputError(where, "row " + std::to_string(r + 1) + ": time, vehicle or position is not a number");
    if (!std::isfinite(row.s.heading)) row.s.heading = 0;
    if (!std::isfinite(row.s.speed)) row.s.speed = 0;
    rows.push_back(row);
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.id != b.id ? a.id < b.id : a.s.t < b.s.t; });
  first_.push_back(0);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i > 0 && rows[i].id != rows[i - 1].id) first_.push_back(i), ids_.push_back(rows[i - 1].id);
    samples_.push_back(rows[i].s);
    max_speed_ = std::max(max_speed_, rows[i].s.speed);
  }
  if (!rows.empty()) first_.push_back(rows.size()), ids_.push_back(rows.back().id);
  const size_t n = vehicles();

  osg::ref_ptr<osg::Vec3Array> vertices = new osg::Vec3Array(n * kVerticesPerVehicle);
  osg::ref_ptr<osg::Vec4ubArray> colors = new osg::Vec4ubArray(n * kVerticesPerVehicle);
  colors->setNormalize(true);
  // Per box: ground corners 0-3 then roof corners 4-7, counter-clockwise seen from above; roof and the
  // four sides, counter-clockwise from outside, the colour-giving vertex last.
  osg::ref_ptr<osg::DrawElementsUInt> triangles = new osg::DrawElementsUInt(GL_TRIANGLES);
  static const unsigned kBox[] = {4, 5, 6, 4, 6, 7, 1, 5, 0, 5, 4, 0, 2, 6, 1,
                                  6, 5, 1, 3, 7, 2, 7, 6, 2, 0, 4, 3, 4, 7, 3};
  for (size_t v = 0; v < n; ++v)
    for (unsigned k : kBox) triangles->push_back(static_cast<unsigned>(v * kVerticesPerVehicle) + k);
  geometry_->setUseDisplayList(false);
  geometry_->setUseVertexBufferObjects(true);
  geometry_->setDataVariance(osg::Object::DYNAMIC);
  geometry_->setVertexArray(vertices);
  geometry_->setColorArray(colors, osg::Array::BIND_PER_VERTEX);
  geometry_->addPrimitiveSet(triangles);
  osg::StateSet* ss = geometry_->getOrCreateStateSet();
  ss->setMode(GL_CULL_FACE, osg::StateAttribute::ON);
  ss->setAttribute(new osg::ShadeModel(osg::ShadeModel::FLAT));
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  node_->addDrawable(geometry_);
  node_->setName("vehicles");
  update(samples_.empty() ? 0 : samples_.front().t);
}

size_t Vehicles::update(double t_s) {
  auto* vertices = static_cast<osg::Vec3Array*>(geometry_->getVertexArray());
  auto* colors = static_cast<osg::Vec4ubArray*>(geometry_->getColorArray());
  size_t count = 0;
  for (size_t v = 0; v < vehicles(); ++v) {
    const Sample* begin = samples_.data() + first_[v];
    const Sample* end = samples_.data() + first_[v + 1];
    osg::Vec3* box = &(*vertices)[v * kVerticesPerVehicle];
    if (t_s < begin->t || t_s > (end - 1)->t) {
      std::fill(box, box + kVerticesPerVehicle, osg::Vec3());  // degenerate: nothing drawn
      continue;
    }
    ++count;
    // The last sample at or before t_s, and the next one.
    const Sample* a =
        std::upper_bound(begin, end, t_s, [](double t, const Sample& s) { return t < s.t; }) - 1;
    const Sample* b = a + 1 < end ? a + 1 : a;
    const double f = b->t > a->t ? (t_s - a->t) / (b->t - a->t) : 0.0;
    const double x = a->x + f * (b->x - a->x), y = a->y + f * (b->y - a->y);
    const double turn = std::remainder(b->heading - a->heading, 2 * std::numbers::pi);
    const double heading = a->heading + f * turn;
    const double speed = a->speed + f * (b->speed - a->speed);
    const osg::Vec3 along(static_cast<float>(std::cos(heading)), static_cast<float>(std::sin(heading)), 0);
    const osg::Vec3 left(-along.y(), along.x(), 0);
    const osg::Vec3 base(static_cast<float>(x), static_cast<float>(y), 0.8f);
    const osg::Vec3 l = along * (kLength / 2), w = left * (kWidth / 2), up(0, 0, kHeight);
    box[0] = base - l - w, box[1] = base + l - w, box[2] = base + l + w, box[3] = base - l + w;
    for (int k = 0; k < 4; ++k) box[4 + k] = box[k] + up;
    const Rgb c = map_.at(speed / max_speed_);
    // Roof corners in the speed's colour, ground corners (which colour the sides) a little darker.
    for (int k = 0; k < kVerticesPerVehicle; ++k) {
      const float s = k < 4 ? 0.7f : 1.0f;
      (*colors)[v * kVerticesPerVehicle + static_cast<size_t>(k)] = to_bytes(c, s);
    }
  }
  vertices->dirty();
  colors->dirty();
  geometry_->dirtyBound();
  return count;
}

osg::Vec3 Vehicles::position(size_t v) const {
  const auto& vertices = *static_cast<const osg::Vec3Array*>(geometry_->getVertexArray());
  osg::Vec3 c;
  for (int k = 0; k < kVerticesPerVehicle; ++k)
    c += vertices[v * kVerticesPerVehicle + static_cast<size_t>(k)];
  return c / kVerticesPerVehicle;
}

bool Vehicles::shown(size_t v) const {
  // A shown box's roof lies above the ground; a hidden one is all at the origin.
  const auto& vertices = *static_cast<const osg::Vec3Array*>(geometry_->getVertexArray());
  return vertices[v * kVerticesPerVehicle + 4].z() > 0;
}

}  // namespace citytwin::render
