#include "engine/sim/prepared_cache.hpp"
#include "engine/sim/model.hpp"

#include <cstdio>

namespace citytwin {

std::shared_ptr<const PreparedData> PreparedCache::get(const Model& model, const City& city) {
  const std::string key = model.prepare_key();
  if (key.empty()) return nullptr;
  const std::string entry = model.name() + '\n' + key;
  std::promise<std::shared_ptr<const PreparedData>> promise;
  std::shared_future<std::shared_ptr<const PreparedData>> future;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(entry);
    if (it != entries_.end()) {
      future = it->second;
    } else {
      entries_.emplace(entry, promise.get_future().share());
      ++counts_[model.name()];
    }
  }
  if (future.valid()) return future.get();
  try {
    auto data = model.prepare(city);
    promise.set_value(data);
    return data;
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      entries_.erase(entry);
    }
    promise.set_exception(std::current_exception());
    throw;
  }
}

size_t PreparedCache::prepare_count(const std::string& model) const {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(model);
  return it == counts_.end() ? 0 : it->second;
}

std::string prepare_key_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace citytwin
