#include "engine/geo/crs.hpp"

#include <proj.h>

#include <algorithm>
#include <cmath>

#include "engine/core/error.hpp"

namespace citytwin {

int utm_epsg_for(double lon_deg, double lat_deg) {
  int zone = static_cast<int>(std::floor((lon_deg + 180.0) / 6.0)) + 1;
  zone = std::clamp(zone, 1, 60);
  return (lat_deg >= 0 ? 32600 : 32700) + zone;
}

struct Transform::Impl {
  PJ_CONTEXT* ctx = nullptr;
  PJ* pj = nullptr;
};

Transform::Transform(const std::string& source, const std::string& target) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = proj_context_create();
  PJ* raw = proj_create_crs_to_crs(impl_->ctx, source.c_str(), target.c_str(), nullptr);
  if (raw) {
    impl_->pj = proj_normalize_for_visualization(impl_->ctx, raw);
    proj_destroy(raw);
  }
  if (!impl_->pj) {
    std::string reason = proj_context_errno_string(impl_->ctx, proj_context_errno(impl_->ctx));
    proj_context_destroy(impl_->ctx);
    auto shorten = [](const std::string& s) { return s.size() > 60 ? s.substr(0, 57) + "..." : s; };
    throw InputError("cannot transform from CRS '" + shorten(source) + "' to '" + shorten(target) + "': " + reason);
  }
}

Transform::~Transform() {
  if (impl_) {
    proj_destroy(impl_->pj);
    proj_context_destroy(impl_->ctx);
  }
}

void Transform::apply(std::vector<Point2>& points, int direction) const {
  if (points.empty()) return;
  proj_trans_generic(impl_->pj, static_cast<PJ_DIRECTION>(direction), &points[0].x, sizeof(Point2), points.size(),
                     &points[0].y, sizeof(Point2), points.size(), nullptr, 0, 0, nullptr, 0, 0);
}

void Transform::forward(std::vector<Point2>& points) const { apply(points, PJ_FWD); }
void Transform::inverse(std::vector<Point2>& points) const { apply(points, PJ_INV); }

Point2 Transform::forward(Point2 p) const {
  std::vector<Point2> v{p};
  apply(v, PJ_FWD);
  return v[0];
}

Point2 Transform::inverse(Point2 p) const {
  std::vector<Point2> v{p};
  apply(v, PJ_INV);
  return v[0];
}

}  // namespace citytwin
