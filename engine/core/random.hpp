#pragma once
/// Seeded random streams: one per entity and purpose, derived from the scenario seed, so results do not
/// depend on the order in which entities are processed or on the number of threads.
#include <cstdint>
#include <random>

namespace citytwin {

/// SplitMix64 finaliser (Steele, Lea, Flood 2014): a well-mixed 64-bit hash of one word.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// The seed of the stream for (scenario seed, purpose, entity).
constexpr std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t purpose, std::uint64_t entity) {
  return mix64(mix64(mix64(seed) ^ purpose) ^ entity);
}

/// A random engine for one entity; cheap to create where it is needed.
inline std::mt19937_64 random_stream(std::uint64_t seed, std::uint64_t purpose, std::uint64_t entity) {
  return std::mt19937_64(stream_seed(seed, purpose, entity));
}

/// Uniform double in [0, 1) from a stream, independent of the standard library's distributions
/// (whose algorithms differ between implementations).
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace citytwin
