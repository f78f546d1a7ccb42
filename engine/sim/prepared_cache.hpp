#pragma once
/// The prepared static data of models (Model::prepare), built once per model name and prepare_key() and
/// shared by every run that asks for the same key. Thread-safe: runs on several threads that need the same
/// data wait for the one that builds it.
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/sim/model.hpp"

namespace citytwin {

class PreparedCache {
 public:
  /// The model's prepared data for the City, built now when no earlier call gave the same model and key.
  /// A model with an empty key prepares nothing (null). A prepare() that throws is not cached: the error
  /// reaches every caller waiting on it, and a later call tries again.
  std::shared_ptr<const PreparedData> get(const Model& model, const City& city);
  /// How many times prepare() was called for the model (for tests and logs).
  size_t prepare_count(const std::string& model) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_future<std::shared_ptr<const PreparedData>>> entries_;
  std::map<std::string, size_t> counts_;
};

}  // namespace citytwin
