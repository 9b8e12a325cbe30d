#include "api/parse.h"

#include <algorithm>
#include <charconv>

#include "common/ids.h"
#include "common/json_limits.h"

namespace ff::api {

Result<nlohmann::json> parse_json_object(const Request& req) {
  if (!req.content_type.empty() && req.content_type.find("json") == std::string::npos) {
    return InvalidArgument("expected Content-Type: application/json");
  }
  // Bounded before the document exists: handlers copy and dump what they get.
  FF_ASSIGN_OR_RETURN(nlohmann::json j, parse_json_bounded(req.body, "body"));
  if (!j.is_object()) return ValidationError("body: must be a JSON object");
  return j;
}

Result<std::string> required_string(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null())
    return ValidationError(std::string(field) + ": field required");
  if (!it->is_string()) return ValidationError(std::string(field) + ": must be a string");
  return it->get<std::string>();
}

Result<std::optional<std::string>> optional_string(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return ValidationError(std::string(field) + ": must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<int64_t>> optional_int(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer() ||
      (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
    return ValidationError(std::string(field) + ": must be an integer");
  }
  return std::optional<int64_t>(it->get<int64_t>());
}

Result<int64_t> required_int(const nlohmann::json& body, const char* field) {
  FF_ASSIGN_OR_RETURN(std::optional<int64_t> v, optional_int(body, field));
  if (!v) return ValidationError(std::string(field) + ": field required");
  return *v;
}

Result<bool> optional_bool(const nlohmann::json& body, const char* field, bool fallback) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return ValidationError(std::string(field) + ": must be true or false");
  return it->get<bool>();
}

namespace {
Result<int64_t> int_param(const Request& req, const char* name, int64_t def, int64_t min,
                          int64_t max) {
  const std::string* v = req.query_param(name);
  if (!v) return def;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || out < min || out > max) {
    return ValidationError(std::string(name) + ": must be an integer from " + std::to_string(min) +
                           " to " + std::to_string(max));
  }
  return out;
}
}  // namespace

Result<store::Page> parse_page(const Request& req) {
  store::Page page;
  FF_ASSIGN_OR_RETURN(page.limit, int_param(req, "limit", 100, 1, 1000));
  FF_ASSIGN_OR_RETURN(page.offset, int_param(req, "offset", 0, 0, INT64_MAX / 2));
  return page;
}

Result<store::Page> parse_optional_page(const Request& req) {
  if (req.query_param("limit") == nullptr && req.query_param("offset") == nullptr) {
    return store::Page{INT64_MAX, 0};
  }
  return parse_page(req);
}

Result<size_t> apply_logs_page(const Request& req, std::vector<store::JobEvent>* logs) {
  const size_t total = logs->size();
  FF_ASSIGN_OR_RETURN(int64_t offset, int_param(req, "logs_offset", 0, 0, INT64_MAX / 2));
  FF_ASSIGN_OR_RETURN(int64_t limit, int_param(req, "logs_limit", 100000, 1, 100000));
  size_t from = std::min(total, static_cast<size_t>(offset));
  size_t to = std::min(total, from + static_cast<size_t>(limit));
  logs->erase(logs->begin() + static_cast<std::ptrdiff_t>(to), logs->end());
  logs->erase(logs->begin(), logs->begin() + static_cast<std::ptrdiff_t>(from));
  return total;
}

Result<std::optional<std::string>> optional_id_param(const Request& req, const char* name) {
  const std::string* v = req.query_param(name);
  if (!v) return std::optional<std::string>();
  FF_TRY(validate_id(name, *v));
  return std::optional<std::string>(*v);
}

}  // namespace ff::api
