#include "engine/data/feed_cache_codec.hpp"

#include <cstring>

namespace citytwin {

namespace {

// Tag byte: bits 0-2 the kind; bit 3 one record read before (observations); bit 4 the sensor follows the
// previous entry's (observations, missing values); bit 5 the same time as the previous observation; bit 6
// the observation counts itself. A
// sensor or time that does not follow is a zigzag varint of the difference; a value, its 8 bytes.
constexpr std::uint8_t kKindMask = 0x07, kRecordBefore = 0x08, kNextSensor = 0x10, kSameTime = 0x20, kCounted = 0x40;

std::uint64_t zigzag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
std::int64_t unzigzag(std::uint64_t u) { return static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1); }

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

// Differences wrap (two's complement), so every pair of 64-bit times has one.
std::int64_t wrapping_sub(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

}  // namespace

void FeedCacheEncoder::clear() {
  bytes_.clear();
  last_sensor_ = -1;
  last_time_ = 0;
}

void FeedCacheEncoder::add(const FeedCacheEntry& e) {
  std::uint8_t tag = e.kind;
  if (e.kind != FeedCacheEntry::observation && e.kind != FeedCacheEntry::missing) {
    bytes_.push_back(tag);
    put_varint(bytes_, e.count);
    return;
  }
  const auto sensor = static_cast<std::int64_t>(e.sensor);
  const bool next_sensor = sensor == last_sensor_ + 1;
  const bool observation = e.kind == FeedCacheEntry::observation;
  const bool same_time = observation && e.time_s == last_time_;
  if (next_sensor) tag |= kNextSensor;
  if (same_time) tag |= kSameTime;
  if (observation && e.records_before) tag |= kRecordBefore;
  if (observation && e.counted) tag |= kCounted;
  bytes_.push_back(tag);
  if (!next_sensor) put_varint(bytes_, zigzag(sensor - last_sensor_));
  last_sensor_ = sensor;
  if (!observation) return;
  if (!same_time) put_varint(bytes_, zigzag(wrapping_sub(e.time_s, last_time_)));
  last_time_ = e.time_s;
  std::uint8_t raw[8];
  std::memcpy(raw, &e.value, 8);
  bytes_.insert(bytes_.end(), raw, raw + 8);
}

FeedCacheDecoder::FeedCacheDecoder(std::span<const std::uint8_t> block, size_t sensors)
    : bytes_(block), sensors_(sensors) {}

std::uint64_t FeedCacheDecoder::varint() {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= bytes_.size()) throw FeedCacheCorrupt("a number runs past the end of its block");
    const std::uint8_t b = bytes_[pos_++];
    if (shift == 63 && b > 1) throw FeedCacheCorrupt("a number does not fit 64 bits");
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw FeedCacheCorrupt("a number does not fit 64 bits");
}

bool FeedCacheDecoder::next(FeedCacheEntry& e) {
  if (pos_ >= bytes_.size()) return false;
  const std::uint8_t tag = bytes_[pos_++];
  const std::uint8_t kind = tag & kKindMask;
  if (kind > FeedCacheEntry::observations) throw FeedCacheCorrupt("unknown entry kind " + std::to_string(kind));
  e.kind = static_cast<FeedCacheEntry::Kind>(kind);
  const bool observation = kind == FeedCacheEntry::observation;
  const std::uint8_t allowed = observation ? kRecordBefore | kNextSensor | kSameTime | kCounted
                               : kind == FeedCacheEntry::missing ? kNextSensor
                                                                 : 0;
  if (tag & ~(kKindMask | allowed)) throw FeedCacheCorrupt("an entry has flags its kind does not take");
  e.records_before = tag & kRecordBefore;
  e.counted = tag & kCounted;
  if (!observation && kind != FeedCacheEntry::missing) {
    e.count = varint();
    return true;
  }
  std::int64_t sensor = last_sensor_ + 1;
  if (!(tag & kNextSensor)) sensor = wrapping_add(last_sensor_, unzigzag(varint()));
  if (sensor < 0 || static_cast<std::uint64_t>(sensor) >= sensors_)
    throw FeedCacheCorrupt("sensor index " + std::to_string(sensor) + " outside the registry's " +
                           std::to_string(sensors_));
  e.sensor = static_cast<std::uint32_t>(sensor);
  last_sensor_ = sensor;
  if (!observation) return true;
  if (!(tag & kSameTime)) last_time_ = wrapping_add(last_time_, unzigzag(varint()));
  e.time_s = last_time_;
  if (bytes_.size() - pos_ < 8) throw FeedCacheCorrupt("a value runs past the end of its block");
  std::memcpy(&e.value, bytes_.data() + pos_, 8);
  pos_ += 8;
  return true;
}

}  // namespace citytwin
