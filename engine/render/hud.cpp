#include "engine/render/hud.hpp"

#include <osg/Geode>
#include <osgText/Text>

#include <cmath>
#include <cstdio>
#include <filesystem>

namespace citytwin::render {
namespace {

constexpr const char* kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

osg::ref_ptr<osgText::Text> text(const std::string& s, float x, float y, float size,
                                 osgText::Text::AlignmentType align = osgText::Text::LEFT_BASE_LINE) {
  osg::ref_ptr<osgText::Text> t = new osgText::Text;
  if (std::filesystem::exists(kFont)) t->setFont(kFont);
  t->setCharacterSize(size);
  t->setPosition(osg::Vec3(x, y, 0));
  t->setAlignment(align);
  t->setColor(osg::Vec4(0.1f, 0.1f, 0.1f, 1));
  t->setText(s, osgText::String::ENCODING_UTF8);
  return t;
}

/// A filled quad with one colour per corner (bottom-left, bottom-right, top-right, top-left).
osg::ref_ptr<osg::Geometry> quad(float x0, float y0, float x1, float y1, const osg::Vec4& c0, const osg::Vec4& c1) {
  osg::ref_ptr<osg::Geometry> g = new osg::Geometry;
  osg::ref_ptr<osg::Vec3Array> v = new osg::Vec3Array;
  for (const auto& p : {osg::Vec3(x0, y0, 0), osg::Vec3(x1, y0, 0), osg::Vec3(x1, y1, 0), osg::Vec3(x0, y1, 0)})
    v->push_back(p);
  osg::ref_ptr<osg::Vec4Array> c = new osg::Vec4Array;
  for (const auto& col : {c0, c1, c1, c0}) c->push_back(col);
  g->setVertexArray(v);
  g->setColorArray(c, osg::Array::BIND_PER_VERTEX);
  g->addPrimitiveSet(new osg::DrawArrays(GL_QUADS, 0, 4));
  return g;
}

std::string number(double v) {
  char buf[32];
  if (std::abs(v) >= 1e5 || (std::abs(v) < 1e-2 && v != 0)) std::snprintf(buf, sizeof buf, "%.2e", v);
  else std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

/// A round length for a scale bar of about `target` metres.
double nice_length(double target) {
  const double p = std::pow(10.0, std::floor(std::log10(target)));
  for (double m : {5.0, 2.0, 1.0})
    if (m * p <= target) return m * p;
  return p;
}

}  // namespace

osg::ref_ptr<osg::Camera> make_hud(const HudText& hud, const LegendInfo& legend, int width, int height,
                                   double metres_per_pixel, double north_angle_rad) {
  osg::ref_ptr<osg::Camera> cam = new osg::Camera;
  cam->setProjectionMatrixAsOrtho2D(0, width, 0, height);
  cam->setReferenceFrame(osg::Transform::ABSOLUTE_RF);
  cam->setViewMatrix(osg::Matrix::identity());
  cam->setClearMask(GL_DEPTH_BUFFER_BIT);
  cam->setRenderOrder(osg::Camera::POST_RENDER);
  cam->setAllowEventFocus(false);
  osg::ref_ptr<osg::Geode> geode = new osg::Geode;
  auto* ss = geode->getOrCreateStateSet();
  ss->setMode(GL_LIGHTING, osg::StateAttribute::OFF);
  ss->setMode(GL_DEPTH_TEST, osg::StateAttribute::OFF);
  ss->setMode(GL_BLEND, osg::StateAttribute::ON);
  cam->addChild(geode);
  const float W = static_cast<float>(width), H = static_cast<float>(height);
  const osg::Vec4 panel(1, 1, 1, 0.85f);

  // Title block, top left.
  geode->addDrawable(quad(0, H - 62, W, H, panel, panel));
  geode->addDrawable(text(hud.title, 14, H - 28, 20));
  geode->addDrawable(text(hud.subtitle, 14, H - 52, 15));

  // Legend, bottom right.
  const float lw = 300, lx = W - lw - 16, ly = 16;
  if (legend.categorical) {
    const float row = 20;
    const float lh = row * static_cast<float>(legend.categories.size()) + 36;
    geode->addDrawable(quad(lx - 10, ly - 6, W - 6, ly + lh, panel, panel));
    geode->addDrawable(text(legend.title, lx, ly + lh - 22, 15));
    float y = ly + lh - 44;
    for (const auto& [name, c] : legend.categories) {
      osg::Vec4 col(c.r, c.g, c.b, 1);
      geode->addDrawable(quad(lx, y, lx + 24, y + 14, col, col));
      geode->addDrawable(text(name, lx + 32, y + 2, 13));
      y -= row;
    }
  } else {
    geode->addDrawable(quad(lx - 10, ly - 6, W - 6, ly + 78, panel, panel));
    geode->addDrawable(text(legend.title, lx, ly + 56, 15));
    const int segments = 32;
    const float bar_y = ly + 22, bar_h = 22;
    for (int s = 0; s < segments; ++s) {
      const double f0 = static_cast<double>(s) / segments, f1 = static_cast<double>(s + 1) / segments;
      Rgb a = legend.map.at(f0), b = legend.map.at(f1);
      geode->addDrawable(quad(lx + lw * static_cast<float>(f0), bar_y, lx + lw * static_cast<float>(f1), bar_y + bar_h,
                              {a.r, a.g, a.b, 1}, {b.r, b.g, b.b, 1}));
    }
    geode->addDrawable(text(number(legend.min), lx, ly + 4, 13));
    geode->addDrawable(text(number((legend.min + legend.max) / 2), lx + lw / 2, ly + 4, 13, osgText::Text::CENTER_BASE_LINE));
    geode->addDrawable(text(number(legend.max), lx + lw, ly + 4, 13, osgText::Text::RIGHT_BASE_LINE));
  }

  // Scale bar and north arrow, bottom left.
  if (metres_per_pixel > 0 && std::isfinite(metres_per_pixel)) {
    const double metres = nice_length(metres_per_pixel * 200);
    const float px = static_cast<float>(metres / metres_per_pixel);
    geode->addDrawable(quad(10, 10, 40 + px, 100, panel, panel));
    const osg::Vec4 dark(0.1f, 0.1f, 0.1f, 1);
    geode->addDrawable(quad(20, 20, 20 + px, 26, dark, dark));
    geode->addDrawable(text(metres >= 1000 ? number(metres / 1000) + " km" : number(metres) + " m", 20, 32, 13));
    // North arrow: a triangle pointing to north on screen.
    const float cx = 40, cy = 72, r = 18;
    const float s = std::sin(static_cast<float>(north_angle_rad)), c = std::cos(static_cast<float>(north_angle_rad));
    auto rot = [&](float x, float y) { return osg::Vec3(cx + x * c - y * s, cy + x * s + y * c, 0); };
    osg::ref_ptr<osg::Geometry> arrow = new osg::Geometry;
    osg::ref_ptr<osg::Vec3Array> av = new osg::Vec3Array;
    for (const auto& p : {rot(0, r), rot(-r * 0.5f, -r), rot(0, -r * 0.5f), rot(0, r), rot(0, -r * 0.5f),
                          rot(r * 0.5f, -r)})
      av->push_back(p);
    arrow->setVertexArray(av);
    osg::ref_ptr<osg::Vec4Array> ac = new osg::Vec4Array;
    ac->push_back(dark);
    arrow->setColorArray(ac, osg::Array::BIND_OVERALL);
    arrow->addPrimitiveSet(new osg::DrawArrays(GL_TRIANGLES, 0, 6));
    geode->addDrawable(arrow);
    osg::Vec3 n = rot(0, r + 12);
    geode->addDrawable(text("N", n.x(), n.y() - 5, 13, osgText::Text::CENTER_BASE_LINE));
  }
  return cam;
}

}  // namespace citytwin::render
