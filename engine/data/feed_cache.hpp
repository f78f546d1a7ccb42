#pragma once
/// A compact binary cache of a feed's observations, written the first time the feed is read and read
/// instead of its files from then on: the same observations, in the same order, with the same counts at
/// every step (FeedReadCounts), and the same error at the same place for a feed with a bad record.
///
/// It lies in `.citytwin-cache/` beside the feed's first file, named `<first file>-<key hash>.ctfeed`. Its
/// key is everything the observations depend on: each file's path, size, modification time and inode, the
/// FeedSpec's fields, the time zone's tz database file and the registry's sensors (IDs, unit conversions);
/// a cache whose key differs is never used. A cache that is truncated, corrupt (a checksum per block) or
/// of another format version is logged, ignored and rebuilt. CITYTWIN_FEED_CACHE=off turns the cache off;
/// CITYTWIN_FEED_CACHE=DIR puts it in DIR. The file itself: engine/data/feed_cache_file.hpp.
#include <cstdint>
#include <memory>
#include <string>

#include "engine/core/log.hpp"
#include "engine/data/feed_cache_file.hpp"
#include "engine/data/feed_reader.hpp"

namespace citytwin {

struct FeedCacheOptions {
  bool enabled = true;
  std::string dir;  ///< empty: `.citytwin-cache/` beside the feed's first file
  /// From CITYTWIN_FEED_CACHE: unset, "on" or "1": enabled beside the feed; "off", "0" or "no": disabled;
  /// anything else: the cache folder.
  static FeedCacheOptions from_environment();
};

/// What the cache of a feed depends on, as text (stored in the cache and compared whole).
std::string feed_cache_key(const FeedSpec& spec, const SensorRegistry& registry);
/// Where the cache of a feed with that key lies.
std::string feed_cache_path(const FeedSpec& spec, const std::string& key, const FeedCacheOptions& options);

/// A feed's observations: from its cache when a valid one exists, else the cache is written first; when it
/// cannot be (a read-only folder, a full disk), a warning in log and the files are read. Throws InputError
/// as FeedReader does. Safe from several threads (one builds a cache, the others wait and read it).
std::unique_ptr<ObservationSource> open_feed(const FeedSpec& spec, const SensorRegistry& registry,
                                             const FeedCacheOptions& options, Log& log);

}  // namespace citytwin
