#pragma once
/// Small CSV helpers for the results directory's own files (plain numbers and IDs, no quoting needed
/// beyond what csv_field does).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin {

/// Quotes a field when it holds a comma, quote or newline.
std::string csv_field(std::string_view s);
/// Splits one CSV line (RFC 4180 quotes).
std::vector<std::string> csv_split(std::string_view line);
/// s without leading and trailing spaces, tabs and carriage returns.
std::string_view trim(std::string_view s);
/// The whole of s as a finite number, or nullopt.
std::optional<double> parse_number(std::string_view s);
/// Shortest text that reads back as the same double (empty for NaN).
std::string format_number(double v);
/// Shortest text that reads back as the same float (empty for NaN).
std::string format_float(float v);

}  // namespace citytwin
