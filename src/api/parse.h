// Request parsing helpers: JSON bodies into typed fields with 422 errors that
// name the field, and query parameters (pagination, filters).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/types.h"
#include "common/status.h"
#include "store/store.h"

namespace ff::api {

// kInvalidArgument unless the body is a JSON object (and the content type JSON or absent);
// kValidation when it nests deeper than kMaxJsonDepth (common/json_limits.h).
Result<nlohmann::json> parse_json_object(const Request& req);

// Required / optional typed fields; kValidation naming the field on a wrong type.
Result<std::string> required_string(const nlohmann::json& body, const char* field);
Result<std::optional<std::string>> optional_string(const nlohmann::json& body, const char* field);
// Integers within int64_t; absent or null: nullopt (optional) or "field required".
Result<std::optional<int64_t>> optional_int(const nlohmann::json& body, const char* field);
Result<int64_t> required_int(const nlohmann::json& body, const char* field);
// Absent or null: `fallback`.
Result<bool> optional_bool(const nlohmann::json& body, const char* field, bool fallback);

// ?limit= (1..1000, default 100) and ?offset= (>= 0).
// A page only when the caller asks for one (limit or offset given), else
// everything ({INT64_MAX, 0}): lists the seed returned whole.
Result<store::Page> parse_optional_page(const Request& req);
Result<store::Page> parse_page(const Request& req);
// A job's logs: ?logs_offset= (>= 0) and ?logs_limit= (1..100000) keep
// that slice of `logs` (oldest first) and return how many there were; no
// parameter: all of them (bounded by ORCH_MAX_JOB_EVENTS).
Result<size_t> apply_logs_page(const Request& req, std::vector<store::JobEvent>* logs);
// An optional query parameter that must be a valid id.
Result<std::optional<std::string>> optional_id_param(const Request& req, const char* name);

}  // namespace ff::api
