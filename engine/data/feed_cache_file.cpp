#include "engine/data/feed_cache_file.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "engine/core/atomic_write.hpp"
#include "engine/data/feed_cache_codec.hpp"

namespace citytwin {

namespace fs = std::filesystem;

std::uint64_t feed_cache_checksum(const void* data, size_t n, std::uint64_t seed) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  auto mix = [](std::uint64_t h, std::uint64_t w) {
    h ^= w * 0x9E3779B97F4A7C15ull;
    h = (h << 31 | h >> 33) * 0xBF58476D1CE4E5B9ull;
    return h;
  };
  std::uint64_t lane[4] = {seed ^ 0x243F6A8885A308D3ull, seed ^ 0x13198A2E03707344ull, seed ^ 0xA4093822299F31D0ull,
                           seed ^ 0x082EFA98EC4E6C89ull};
  size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int k = 0; k < 4; ++k) {
      std::uint64_t w;
      std::memcpy(&w, p + i + 8 * k, 8);
      lane[k] = mix(lane[k], w);
    }
  std::uint64_t tail[4] = {0, 0, 0, 0};
  std::memcpy(tail, p + i, n - i);
  std::uint64_t h = n;
  for (int k = 0; k < 4; ++k) h = mix(h, mix(lane[k], tail[k]));
  h ^= h >> 32;
  return h * 0xD6E8FEB86659FD93ull ^ (h >> 29);
}

namespace {

// File layout (all numbers little-endian, as written by the machines the cache is for; the endian mark
// makes another machine's cache a mismatch):
//   header: magic "CTFEEDC\n", u32 version, u32 endian mark, u64 key length, key, u64 sensors,
//           u64 ignored columns counted on opening, u64 checksum of the header so far;
//   blocks: u32 payload length (> 0), u32 zero, u64 checksum of the payload, payload (feed_cache_codec);
//   end:    u32 0, u32 0, u64 error length, error (the InputError the files end with, or empty),
//           u64 blocks, u64 checksum of the end so far, magic "CTFEEDE\n"; nothing after it.
constexpr char kMagic[8] = {'C', 'T', 'F', 'E', 'E', 'D', 'C', '\n'};
constexpr char kEndMagic[8] = {'C', 'T', 'F', 'E', 'E', 'D', 'E', '\n'};
constexpr std::uint32_t kEndianMark = 0x01020304;
constexpr size_t kBlockBytes = 1 << 18;
constexpr std::uint64_t kMaxBlockBytes = 1ull << 30;

std::uint64_t checksum(const std::vector<std::uint8_t>& v) { return feed_cache_checksum(v.data(), v.size()); }

template <class T>
void put(std::vector<std::uint8_t>& out, T v) {
  std::uint8_t raw[sizeof v];
  std::memcpy(raw, &v, sizeof v);
  out.insert(out.end(), raw, raw + sizeof v);
}

void put_text(std::vector<std::uint8_t>& out, const std::string& s) {
  put<std::uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}



/// A cache file being read: plain fread, so its pages are not counted in the process's memory.
class CacheFile {
 public:
  explicit CacheFile(const std::string& path) : f_(std::fopen(path.c_str(), "rb")) {
    if (!f_) return;
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 16);
    std::fseek(f_, 0, SEEK_END);
    size_ = std::ftell(f_);
    std::rewind(f_);
  }
  ~CacheFile() {
    if (f_) std::fclose(f_);
  }
  CacheFile(const CacheFile&) = delete;
  CacheFile& operator=(const CacheFile&) = delete;
  bool is_open() const { return f_ != nullptr; }
  bool read(void* p, size_t n) { return std::fread(p, 1, n, f_) == n; }
  template <class T>
  T number() {
    T v{};
    if (!read(&v, sizeof v)) throw FeedCacheCorrupt("truncated");
    return v;
  }
  void bytes(std::vector<std::uint8_t>& out, std::uint64_t n) {
    // A damaged length must not make a large allocation: it cannot be longer than what is left.
    if (n > kMaxBlockBytes || static_cast<std::int64_t>(n) > size_ - tell()) throw FeedCacheCorrupt("truncated");
    out.resize(n);
    if (!read(out.data(), n)) throw FeedCacheCorrupt("truncated");
  }
  long tell() const { return std::ftell(f_); }
  void seek(long at) { std::fseek(f_, at, SEEK_SET); }
  bool at_end() { return std::fgetc(f_) == EOF; }

 private:
  std::FILE* f_;
  std::int64_t size_ = 0;
};

struct CacheHeader {
  std::uint64_t sensors = 0, ignored_columns = 0;
  long body = 0;  ///< offset of the first block
};

/// Reads and checks a header against the expected key and registry size.
CacheHeader read_header(CacheFile& in, const std::string& key, size_t sensors) {
  std::vector<std::uint8_t> h(8);
  if (!in.read(h.data(), 8)) throw FeedCacheCorrupt("truncated header");
  if (std::memcmp(h.data(), kMagic, 8) != 0) throw FeedCacheCorrupt("not an observation cache");
  const auto version = in.number<std::uint32_t>();
  const auto endian = in.number<std::uint32_t>();
  if (version != kFeedCacheVersion) throw FeedCacheCorrupt("format version " + std::to_string(version) + ", not " + std::to_string(kFeedCacheVersion));
  if (endian != kEndianMark) throw FeedCacheCorrupt("written on a machine of another byte order");
  const auto key_length = in.number<std::uint64_t>();
  std::vector<std::uint8_t> stored;
  in.bytes(stored, key_length);
  if (std::string(stored.begin(), stored.end()) != key) throw FeedCacheCorrupt("made from other files or settings");
  CacheHeader c;
  c.sensors = in.number<std::uint64_t>();
  c.ignored_columns = in.number<std::uint64_t>();
  put(h, version);
  put(h, endian);
  put_text(h, key);
  put(h, c.sensors);
  put(h, c.ignored_columns);
  if (in.number<std::uint64_t>() != checksum(h)) throw FeedCacheCorrupt("header checksum");
  if (c.sensors != sensors) throw FeedCacheCorrupt("made for a registry of another size");
  c.body = in.tell();
  return c;
}

/// Reads one block (true) or the end (false, the stored error in error).
bool read_block(CacheFile& in, std::vector<std::uint8_t>& payload, std::uint64_t& blocks, std::string& error) {
  const auto length = in.number<std::uint32_t>();
  if (in.number<std::uint32_t>() != 0) throw FeedCacheCorrupt("a block header");
  if (length > 0) {
    const auto sum = in.number<std::uint64_t>();
    in.bytes(payload, length);
    if (checksum(payload) != sum) throw FeedCacheCorrupt("block " + std::to_string(blocks) + " checksum");
    ++blocks;
    return true;
  }
  std::vector<std::uint8_t> text, end;
  in.bytes(text, in.number<std::uint64_t>());
  error.assign(text.begin(), text.end());
  put_text(end, error);
  if (in.number<std::uint64_t>() != blocks) throw FeedCacheCorrupt("block count");
  put(end, blocks);
  if (in.number<std::uint64_t>() != checksum(end)) throw FeedCacheCorrupt("end checksum");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, kEndMagic, 8) != 0) throw FeedCacheCorrupt("end mark");
  if (!in.at_end()) throw FeedCacheCorrupt("bytes after the end");
  return false;
}

class CachedFeedReader : public ObservationSource {
 public:
  CachedFeedReader(std::string path, std::unique_ptr<CacheFile> in, const CacheHeader& h, std::string error)
      : path_(std::move(path)), in_(std::move(in)), error_(std::move(error)), sensors_(h.sensors) {
    counts_.ignored_columns = h.ignored_columns;
    counts_.missing_by_sensor.assign(h.sensors, 0);
    in_->seek(h.body);
  }

  bool next(Observation& out) override {
    FeedCacheEntry e;
    while (true) {
      if (!decoder_ || !decode(e)) {
        if (!load_block()) {
          if (!error_.empty()) throw InputError(error_);
          return false;
        }
        continue;
      }
      switch (e.kind) {
        case FeedCacheEntry::observation:
          if (e.records_before) ++counts_.records;
          if (e.counted) ++counts_.observations;
          out = {e.time_s, e.sensor, e.value, record_++};
          return true;
        case FeedCacheEntry::missing:
          ++counts_.missing;
          ++counts_.missing_by_sensor[e.sensor];
          break;
        case FeedCacheEntry::records: counts_.records += e.count; break;
        case FeedCacheEntry::bad_quality: counts_.bad_quality += e.count; break;
        case FeedCacheEntry::ignored_columns: counts_.ignored_columns += e.count; break;
        case FeedCacheEntry::observations: counts_.observations += e.count; break;
      }
    }
  }
  const FeedReadCounts& counts() const override { return counts_; }
  std::string where() const override { return path_ + ": block " + std::to_string(blocks_); }

 private:
  bool decode(FeedCacheEntry& e) {
    try {
      return decoder_->next(e);
    } catch (const FeedCacheCorrupt& c) {
      throw InputError({path_, 0, "block " + std::to_string(blocks_)}, std::string("corrupt observation cache (") +
                                                                          c.what() + "): delete it to rebuild it");
    }
  }
  bool load_block() {
    std::string ignored;
    try {
      if (!read_block(*in_, payload_, blocks_, ignored)) return false;
    } catch (const FeedCacheCorrupt& c) {
      throw InputError({path_, 0, ""}, std::string("observation cache changed while read (") + c.what() + ")");
    }
    decoder_.emplace(payload_, sensors_);
    return true;
  }

  std::string path_;
  std::unique_ptr<CacheFile> in_;
  std::string error_;
  size_t sensors_;
  FeedReadCounts counts_;
  std::vector<std::uint8_t> payload_;
  std::optional<FeedCacheDecoder> decoder_;
  std::uint64_t blocks_ = 0;
  std::uint64_t record_ = 0;  ///< the next observation's reading order
};

/// Counters of FeedReadCounts, to see what one next() advanced.
struct Tally {
  std::uint64_t records = 0, observations = 0, bad_quality = 0, ignored_columns = 0;
  explicit Tally(const FeedReadCounts& c)
      : records(c.records), observations(c.observations), bad_quality(c.bad_quality), ignored_columns(c.ignored_columns) {}
};

/// Writes the header, then the blocks as the reader gives out observations, then the end.
void write_cache_body(std::ostream& out, const std::string& key, FeedReader& reader, size_t sensors) {
  std::vector<std::uint8_t> bytes(kMagic, kMagic + 8);
  put(bytes, kFeedCacheVersion);
  put(bytes, kEndianMark);
  put_text(bytes, key);
  put<std::uint64_t>(bytes, sensors);
  Tally last(reader.counts());
  put(bytes, last.ignored_columns);
  const std::uint64_t header_sum = checksum(bytes);
  put(bytes, header_sum);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));

  std::vector<std::uint32_t> missing;
  reader.on_missing([&missing](std::uint32_t s) { missing.push_back(s); });
  FeedCacheEncoder enc;
  std::uint64_t blocks = 0;
  auto flush = [&] {
    if (enc.bytes().empty()) return;
    std::vector<std::uint8_t> h;
    put(h, static_cast<std::uint32_t>(enc.bytes().size()));
    put<std::uint32_t>(h, 0);
    put(h, checksum(enc.bytes()));
    out.write(reinterpret_cast<const char*>(h.data()), static_cast<std::streamsize>(h.size()));
    out.write(reinterpret_cast<const char*>(enc.bytes().data()), static_cast<std::streamsize>(enc.bytes().size()));
    enc.clear();
    ++blocks;
  };
  auto count = [&enc](FeedCacheEntry::Kind kind, std::uint64_t n) {
    if (n == 0) return;
    FeedCacheEntry e;
    e.kind = kind;
    e.count = n;
    enc.add(e);
  };
  std::string error;
  Observation o;
  while (true) {
    bool got = false;
    try {
      got = reader.next(o);
    } catch (const InputError& e) {
      error = e.what();
    }
    const Tally now(reader.counts());
    FeedCacheEntry e;
    e.kind = FeedCacheEntry::missing;
    for (std::uint32_t s : missing) {
      e.sensor = s;
      enc.add(e);
    }
    missing.clear();
    count(FeedCacheEntry::bad_quality, now.bad_quality - last.bad_quality);
    count(FeedCacheEntry::ignored_columns, now.ignored_columns - last.ignored_columns);
    // One record or observation counted before an observation (the common case) is a flag on it, more are
    // an entry of their own.
    const std::uint64_t records = now.records - last.records, observations = now.observations - last.observations;
    const bool one_record = got && records == 1, counted = got && observations >= 1;
    count(FeedCacheEntry::records, one_record ? 0 : records);
    count(FeedCacheEntry::observations, counted ? observations - 1 : observations);
    last = now;
    if (!got) break;
    FeedCacheEntry ob{FeedCacheEntry::observation, one_record, counted, o.sensor, o.time_s, o.value, 0};
    enc.add(ob);
    if (enc.bytes().size() >= kBlockBytes) flush();
  }
  flush();
  std::vector<std::uint8_t> end;
  put<std::uint32_t>(end, 0);
  put<std::uint32_t>(end, 0);
  const size_t summed = end.size();
  put_text(end, error);
  put(end, blocks);
  put(end, feed_cache_checksum(end.data() + summed, end.size() - summed));
  end.insert(end.end(), kEndMagic, kEndMagic + 8);
  out.write(reinterpret_cast<const char*>(end.data()), static_cast<std::streamsize>(end.size()));
}

}  // namespace

void write_feed_cache(const std::string& path, const std::string& key, const FeedSpec& spec,
                      const SensorRegistry& registry) {
  FeedReader reader(spec, registry);
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) throw InputError({path, 0, ""}, "cannot create the cache folder: " + ec.message());
  write_file_atomically(path, [&](std::ostream& out) { write_cache_body(out, key, reader, registry.sensors.size()); });
}

std::unique_ptr<ObservationSource> open_feed_cache(const std::string& path, const std::string& key,
                                                   const SensorRegistry& registry, std::string* why) {
  auto in = std::make_unique<CacheFile>(path);
  if (!in->is_open()) {
    if (why) *why = "absent";
    return nullptr;
  }
  try {
    const CacheHeader h = read_header(*in, key, registry.sensors.size());
    std::vector<std::uint8_t> payload;
    std::uint64_t blocks = 0;
    std::string error;
    while (read_block(*in, payload, blocks, error)) {
    }
    return std::make_unique<CachedFeedReader>(path, std::move(in), h, std::move(error));
  } catch (const FeedCacheCorrupt& c) {
    if (why) *why = c.what();
    return nullptr;
  }
}

}  // namespace citytwin
