#pragma once
/// An observation cache file (engine/data/feed_cache.hpp says when one is used): a header with its key,
/// checksummed blocks of entries (engine/data/feed_cache_codec.hpp), an end with the error the feed's files
/// end with. Layout in engine/data/README.md.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/data/feed_reader.hpp"

namespace citytwin {

constexpr std::uint32_t kFeedCacheVersion = 1;

/// A 64-bit checksum of bytes (four multiply-rotate lanes over 8-byte words): it catches a truncated or
/// damaged file, not a deliberate forgery.
std::uint64_t feed_cache_checksum(const void* data, size_t n, std::uint64_t seed = 0);

/// Reads the feed's files once and writes their cache at path (atomically: a temporary renamed into place).
/// Throws InputError for a feed whose first file cannot be opened or has a bad header (nothing is written)
/// and when the cache cannot be written; a bad record later in the files is kept in the cache and thrown
/// again where it lies when the cache is read.
void write_feed_cache(const std::string& path, const std::string& key, const FeedSpec& spec,
                      const SensorRegistry& registry);

/// Reads a cache written by write_feed_cache; nullptr (with the reason in why) when there is none at path,
/// its key is another, or it is truncated or corrupt. Every block's checksum is checked before the first
/// observation is given out.
std::unique_ptr<ObservationSource> open_feed_cache(const std::string& path, const std::string& key,
                                                   const SensorRegistry& registry, std::string* why = nullptr);

}  // namespace citytwin
