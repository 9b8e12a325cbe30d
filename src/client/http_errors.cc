#include "client/http_errors.h"

#include <ctime>

#include <nlohmann/json.hpp>

namespace ff::client {

std::string detail_of(std::string_view body) {
  if (body.empty()) return "";
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "";
  auto it = j.find("detail");
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();  // FastAPI-style validation lists
}

Status status_from_http(long http_status, std::string_view body) {
  if (http_status >= 200 && http_status < 300) return OkStatus();
  std::string detail = detail_of(body);
  auto msg = [&](const char* fallback) { return detail.empty() ? std::string(fallback) : detail; };
  switch (http_status) {
    case 400:
      return InvalidArgument(msg("bad request"));
    case 401:
      return Unauthenticated(msg("not authenticated"));
    case 403:
      return PermissionDenied(msg("permission denied"));
    case 404:
      return NotFound(msg("not found"));
    case 409:
      return Conflict(msg("conflict"));
    case 413:
      return TooLarge(msg("request too large"));
    case 416:
      return OutOfRange(msg("range not satisfiable"));
    case 422:
      return ValidationError(msg("validation failed"));
    case 429:
      return RateLimited(msg("rate limited"));
    case 502:
    case 503:
    case 504:
      return Unavailable(msg("service unavailable"));
    default:
      break;
  }
  std::string text = "unexpected HTTP status " + std::to_string(http_status);
  if (!detail.empty()) text += ": " + detail;
  if (http_status >= 500) return Unavailable(text);
  return InvalidArgument(text);
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, SystemTime now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    if (value.size() > 9) return std::chrono::seconds(999'999'999);
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  std::string s(value);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  SystemTime at = from_unix_seconds(timegm(&tm));
  if (at <= now) return std::chrono::seconds(0);
  return std::chrono::duration_cast<std::chrono::seconds>(at - now);
}

bool is_retryable(const Status& status) {
  return status.code() == Code::kUnavailable || status.code() == Code::kRateLimited;
}

}  // namespace ff::client
