// The access log: one line per answered request, as text (the default) or as
// a JSON object of fields (ORCH_LOG_FORMAT=json, see docs/logging.md). Only
// the path is logged, never the query string (it may carry ?token=).
//
// Thread-safety: use_json_access_log() once at start-up, before serving;
// log_access() from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

namespace spdlog {
class logger;
}  // namespace spdlog

namespace ff::http {

struct AccessEntry {
  std::string_view request_id;
  std::string_view client;
  std::string_view method;
  std::string_view path;
  std::string_view route;  // the matched pattern; empty when none matched
  int status = 0;
  uint64_t bytes = 0;
  double ms = 0;
};

// From now on access lines go to `logger` as a JSON object (its formatter
// is expected to merge them into the line; see orchestrator/logging.h).
void use_json_access_log(std::shared_ptr<spdlog::logger> logger);
void log_access(const AccessEntry& e);

}  // namespace ff::http
