#include "models/traffic/io/xml.hpp"

#include <expat.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace citytwin::traffic::io {

std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> parse_time(std::string_view s) {
  auto in_range = [](std::optional<double> t) { return t && *t >= 0 && *t <= kMaxTimeS ? t : std::nullopt; };
  if (s.find(':') == std::string_view::npos) return in_range(parse_number(s));
  std::vector<double> fields;
  while (true) {
    const size_t colon = s.find(':');
    auto v = parse_number(s.substr(0, colon));
    if (!v || *v < 0) return std::nullopt;
    fields.push_back(*v);
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
  }
  if (fields.size() == 3) return in_range(fields[0] * 3600 + fields[1] * 60 + fields[2]);
  if (fields.size() == 4) return in_range(fields[0] * 86400 + fields[1] * 3600 + fields[2] * 60 + fields[3]);
  return std::nullopt;
}

const char* XmlElement::find(std::string_view key) const {
  for (const char** a = attrs_; a && *a; a += 2)
    if (key == a[0]) return a[1];
  return nullptr;
}

void XmlElement::fail(const std::string& message) const {
  throw InputError(SourceLocation{file_, line_, ""}, std::string("<") + name_ + ">: " + message);
}

std::string XmlElement::text(std::string_view key) const {
  const char* v = find(key);
  if (!v) fail("missing attribute '" + std::string(key) + "'");
  return v;
}

std::string XmlElement::text_or(std::string_view key, std::string fallback) const {
  const char* v = find(key);
  return v ? std::string(v) : fallback;
}

double XmlElement::number(std::string_view key) const {
  const std::string v = text(key);
  auto n = parse_number(v);
  if (!n) fail("attribute '" + std::string(key) + "': expected a number, got '" + v + "'");
  return *n;
}

double XmlElement::number_or(std::string_view key, double fallback) const {
  return find(key) ? number(key) : fallback;
}

double XmlElement::time(std::string_view key) const {
  const std::string v = text(key);
  auto n = parse_time(v);
  if (!n) fail("attribute '" + std::string(key) + "': expected a time in seconds or H:MM:SS (0 to 366 days), got '" + v + "'");
  return *n;
}

namespace {
struct ParseContext {
  XML_Parser parser;
  const std::string* file;
  const std::function<void(const XmlElement&)>* start;
  const std::function<void(std::string_view)>* end;
  std::exception_ptr error;
};

void on_start(void* data, const XML_Char* name, const XML_Char** attrs) {
  auto* ctx = static_cast<ParseContext*>(data);
  if (ctx->error) return;
  try {
    (*ctx->start)(XmlElement(name, attrs, *ctx->file, static_cast<int>(XML_GetCurrentLineNumber(ctx->parser))));
  } catch (...) {
    ctx->error = std::current_exception();
    XML_StopParser(ctx->parser, XML_FALSE);
  }
}

void on_end(void* data, const XML_Char* name) {
  auto* ctx = static_cast<ParseContext*>(data);
  if (ctx->error || !*ctx->end) return;
  try {
    (*ctx->end)(name);
  } catch (...) {
    ctx->error = std::current_exception();
    XML_StopParser(ctx->parser, XML_FALSE);
  }
}
}  // namespace

void parse_xml(std::string_view text, const std::string& file, const std::function<void(const XmlElement&)>& start,
               const std::function<void(std::string_view)>& end) {
  XML_Parser parser = XML_ParserCreate(nullptr);
  if (!parser) throw std::bad_alloc();
  ParseContext ctx{parser, &file, &start, &end, nullptr};
  XML_SetUserData(parser, &ctx);
  XML_SetElementHandler(parser, on_start, on_end);
  const auto status = XML_Parse(parser, text.data(), static_cast<int>(text.size()), XML_TRUE);
  const int line = static_cast<int>(XML_GetCurrentLineNumber(parser));
  const std::string message = status == XML_STATUS_ERROR ? XML_ErrorString(XML_GetErrorCode(parser)) : "";
  XML_ParserFree(parser);
  if (ctx.error) std::rethrow_exception(ctx.error);
  if (status == XML_STATUS_ERROR) throw InputError(SourceLocation{file, line, ""}, "malformed XML: " + message);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, ""}, "cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace citytwin::traffic::io
