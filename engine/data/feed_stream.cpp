#include "engine/data/feed_stream.hpp"

#include <climits>

namespace citytwin {

std::optional<std::int64_t> TimeMapping::apply(std::int64_t utc) const {
  switch (kind) {
    case Kind::none: return utc;
    case Kind::offset: return utc + offset_s;
    case Kind::by_date: {
      const std::int64_t local = utc + feed_zone.utc_offset_s(utc) + (to_day - from_day) * 86400;
      const auto inst = scenario_zone.to_utc(local);
      if (inst.count == 0) return std::nullopt;
      return inst.earlier;
    }
  }
  return utc;
}

FeedStream::FeedStream(ObservationSource& reader, size_t sensors, std::int64_t lateness_s, TimeMapping mapping)
    : reader_(reader), lateness_s_(lateness_s), mapping_(std::move(mapping)), last_time_(sensors, INT64_MIN) {
  counts_.duplicates_by_sensor.assign(sensors, 0);
  counts_.late_by_sensor.assign(sensors, 0);
}

void FeedStream::push(const Observation& o) {
  if (run_.empty() || Later()(o, run_.back())) run_.push_back(o);
  else heap_.push(o);
}

const Observation& FeedStream::top() const {
  if (heap_.empty()) return run_.front();
  if (run_.empty() || Later()(run_.front(), heap_.top())) return heap_.top();
  return run_.front();
}

void FeedStream::pop() {
  if (heap_.empty() || (!run_.empty() && !Later()(run_.front(), heap_.top()))) run_.pop_front();
  else heap_.pop();
}

bool FeedStream::ready() const {
  return waiting() && (exhausted_ || newest_read_ - top().time_s > lateness_s_);
}

void FeedStream::read_ahead() {
  Observation o;
  while (!ready() && !exhausted_) {
    if (!reader_.next(o)) {
      exhausted_ = true;
      break;
    }
    if (mapping_.kind != TimeMapping::Kind::none) {
      const auto t = mapping_.apply(o.time_s);
      if (!t) {
        ++counts_.unmappable;
        continue;
      }
      o.time_s = *t;
    }
    if (o.time_s == last_time_[o.sensor]) {
      ++counts_.duplicates;
      ++counts_.duplicates_by_sensor[o.sensor];
      continue;
    }
    if (o.time_s < watermark_ || (newest_read_ != INT64_MIN && o.time_s < newest_read_ - lateness_s_)) {
      ++counts_.late;
      ++counts_.late_by_sensor[o.sensor];
      continue;
    }
    newest_read_ = std::max(newest_read_, o.time_s);
    push(o);
  }
}

std::optional<std::int64_t> FeedStream::peek_time() {
  while (true) {
    read_ahead();
    if (!waiting()) return std::nullopt;
    const Observation& first = top();
    // A duplicate still in the window: the earlier record was given out already.
    if (first.time_s == last_time_[first.sensor]) {
      ++counts_.duplicates;
      ++counts_.duplicates_by_sensor[first.sensor];
      pop();
      continue;
    }
    return first.time_s;
  }
}

bool FeedStream::next(Observation& out) {
  if (!peek_time()) return false;
  out = top();
  pop();
  watermark_ = out.time_s;
  last_time_[out.sensor] = out.time_s;
  return true;
}

}  // namespace citytwin
