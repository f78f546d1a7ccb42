#include "engine/data/feed_cache.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "engine/data/feed_cache_file.hpp"

namespace citytwin {

namespace fs = std::filesystem;

namespace {

/// A length-prefixed string in the key, so that no name can be taken for another field.
void key_field(std::string& key, const std::string& name, const std::string& value) {
  key += name + " " + std::to_string(value.size()) + ":" + value + "\n";
}

/// A file as its cache key sees it: path, size, modification time (ns) and inode.
std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "absent";
  return std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino);
}

std::string hex(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}
}  // namespace

FeedCacheOptions FeedCacheOptions::from_environment() {
  FeedCacheOptions o;
  const char* v = std::getenv("CITYTWIN_FEED_CACHE");
  const std::string s = v ? v : "";
  if (s == "off" || s == "0" || s == "no") o.enabled = false;
  else if (!s.empty() && s != "on" && s != "1") o.dir = s;
  return o;
}

std::string feed_cache_key(const FeedSpec& spec, const SensorRegistry& registry) {
  std::string key = "citytwin observation cache " + std::to_string(kFeedCacheVersion) + "\n";
  for (const auto& f : spec.files) {
    std::error_code ec;
    const fs::path abs = fs::absolute(f, ec);
    key_field(key, "file", abs.string() + " " + file_identity(f));
  }
  key_field(key, "format", to_string(spec.format));
  key_field(key, "zone", spec.zone.name());
  // The zone's rules come from the system's tz database: an update changes local times' meaning.
  if (spec.zone.name() != "UTC") key_field(key, "tzdata", file_identity("/usr/share/zoneinfo/" + spec.zone.name()));
  key_field(key, "time_format", spec.time_format);
  key_field(key, "skip_lines", std::to_string(spec.skip_lines));
  key_field(key, "time_column", spec.time_column);
  key_field(key, "sensor_column", spec.sensor_column);
  key_field(key, "value_column", spec.value_column);
  key_field(key, "quality_column", spec.quality_column);
  for (const auto& [name, id] : spec.sensor_map) key_field(key, "map", std::to_string(name.size()) + ":" + name + "=" + id);
  for (const auto& q : spec.good_quality) key_field(key, "good", q);
  key_field(key, "registry", registry.file);
  for (const auto& s : registry.sensors)
    key_field(key, "sensor", s.id + " " + hex(s.to_model.factor) + " " + hex(s.to_model.offset));
  return key;
}

std::string feed_cache_path(const FeedSpec& spec, const std::string& key, const FeedCacheOptions& options) {
  const fs::path first(spec.files.empty() ? std::string("feed") : spec.files.front());
  const fs::path dir = options.dir.empty() ? first.parent_path() / ".citytwin-cache" : fs::path(options.dir);
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx",
                static_cast<unsigned long long>(feed_cache_checksum(key.data(), key.size())));
  return (dir / (first.filename().string() + "-" + hash + ".ctfeed")).string();
}

std::unique_ptr<ObservationSource> open_feed(const FeedSpec& spec, const SensorRegistry& registry,
                                             const FeedCacheOptions& options, Log& log) {
  if (!options.enabled || spec.files.empty()) return std::make_unique<FeedReader>(spec, registry);
  const std::string key = feed_cache_key(spec, registry);
  const std::string path = feed_cache_path(spec, key, options);
  // One process's runs share the cache: one writes it (its temporary is named by the process), the others
  // wait here and read it.
  static std::mutex writing;
  std::lock_guard lock(writing);
  std::string why;
  if (auto cached = open_feed_cache(path, key, registry, &why)) {
    log.info("feed " + spec.files.front() + ": observations from the cache " + path);
    return cached;
  }
  if (why != "absent") log.warn("observation cache " + path + " ignored (" + why + "): rebuilt");
  try {
    write_feed_cache(path, key, spec, registry);
  } catch (const InputError& e) {
    // A feed that cannot be opened or has a bad header throws the same again here.
    auto files = std::make_unique<FeedReader>(spec, registry);
    log.warn(std::string("observation cache not written (") + e.what() + "): reading the files");
    return files;
  }
  if (feed_cache_key(spec, registry) != key) {
    std::error_code ec;
    fs::remove(path, ec);
    log.warn("feed " + spec.files.front() + " changed while its cache was written: reading the files");
    return std::make_unique<FeedReader>(spec, registry);
  }
  if (auto cached = open_feed_cache(path, key, registry, &why)) {
    log.info("feed " + spec.files.front() + ": observation cache written to " + path);
    return cached;
  }
  log.warn("observation cache " + path + " unreadable after writing (" + why + "): reading the files");
  return std::make_unique<FeedReader>(spec, registry);
}

}  // namespace citytwin
