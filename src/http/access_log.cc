#include "http/access_log.h"

#include <cmath>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace ff::http {

namespace {
std::shared_ptr<spdlog::logger> json_logger;  // set before serving, then read-only
}  // namespace

void use_json_access_log(std::shared_ptr<spdlog::logger> logger) {
  json_logger = std::move(logger);
}

void log_access(const AccessEntry& e) {
  if (!json_logger) {
    spdlog::info("access id={} client={} method={} path={} status={} bytes={} ms={:.2f}",
                 e.request_id, e.client, e.method, e.path, e.status, e.bytes, e.ms);
    return;
  }
  if (!json_logger->should_log(spdlog::level::info)) return;
  nlohmann::json j = {{"id", e.request_id},
                      {"client", e.client},
                      {"method", e.method},
                      {"path", e.path},
                      {"status", e.status},
                      {"bytes", e.bytes},
                      {"ms", std::round(e.ms * 100) / 100}};
  if (!e.route.empty()) j["route"] = e.route;
  // A client's path may hold invalid UTF-8: replaced, never thrown.
  json_logger->info(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace ff::http
