#pragma once
/// Typed access to one TOML table of a scenario (a model's parameters, an intervention) that records every
/// error with file, line and key, and reports keys nobody asked for.
#include <optional>
#include <set>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "engine/core/error.hpp"

namespace citytwin {

struct Intervention;

class Params {
 public:
  /// table may be null (an absent section: every getter returns its default).
  Params(const toml::table* table, std::string file, std::string prefix, ErrorList& errors, int line = 0);
  /// The parameters of an intervention (its keys beyond at, until, model, action, target), as
  /// "interventions[N].key" at the entry's lines; errors of "action" and "target" name the entry.
  static Params of(const Intervention& iv, ErrorList& errors);

  double number(const std::string& key, double fallback, double min, double max);
  std::optional<double> optional_number(const std::string& key, double min, double max);
  long long integer(const std::string& key, long long fallback, long long min, long long max);
  bool boolean(const std::string& key, bool fallback);
  /// allowed empty = any string.
  std::string string(const std::string& key, const std::string& fallback, const std::vector<std::string>& allowed = {});
  /// A file named relative to the scenario (resolve_path); an error when it does not exist. Empty when absent.
  std::string path(const std::string& key, const std::string& what);
  /// A duration ("15min", "1h", or seconds as a number).
  double duration_s(const std::string& key, double fallback, double min_s, double max_s);
  std::vector<double> numbers(const std::string& key, const std::vector<double>& fallback, double min, double max);
  /// An array of strings (empty when absent).
  std::vector<std::string> strings(const std::string& key);
  /// A sub-table as its own Params (prefix "outer.key").
  Params table(const std::string& key);
  bool has(const std::string& key) const;
  /// The table's keys in key order (for tables of named entries such as per-district factors).
  std::vector<std::string> keys() const;
  /// Marks a key as read by the caller (who checks it some other way).
  void accept(const std::string& key) { used_.insert(key); }
  /// Records a problem with a key's value found by the caller.
  void error(const std::string& key, const std::string& message);
  /// Reports every key that no getter asked for. Call once, after reading all keys.
  void finish();

  const std::string& file() const { return file_; }
  SourceLocation where(const std::string& key) const;

 private:
  const toml::node* get(const std::string& key);
  const toml::table* table_;
  std::string file_, prefix_;
  int line_ = 0;  ///< of the table, when its nodes carry no source (a copied table)
  ErrorList* errors_;
  std::set<std::string> used_;
};

/// A path given in file (a scenario), relative to file's folder; lexically normalised. Empty stays empty.
std::string resolve_path(const std::string& file, const std::string& relative);

/// "1.5" for errors: numbers as a person wrote them.
std::string describe_toml(const toml::node& node);

}  // namespace citytwin
