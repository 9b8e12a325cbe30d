#include "orchestrator/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "common/time.h"
#include "http/access_log.h"

namespace ff::orchestrator {

namespace {

constexpr char kAccessLogger[] = "access";

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    const auto& level = spdlog::level::to_string_view(msg.level);
    std::string head = "{\"time\":\"" + format_rfc3339_ms(msg.time) + "\",\"level\":\"" +
                       std::string(level.data(), level.size()) + "\",";
    dest.append(head.data(), head.data() + head.size());
    std::string_view name(msg.logger_name.data(), msg.logger_name.size());
    if (name == kAccessLogger && payload.size() >= 2 && payload.front() == '{') {
      // {"id":...} -> "event":"access","id":...}
      constexpr std::string_view kEvent = "\"event\":\"access\",";
      dest.append(kEvent.data(), kEvent.data() + kEvent.size());
      dest.append(payload.data() + 1, payload.data() + payload.size());
    } else {
      std::string m = "\"message\":" +
                      nlohmann::json(std::string(payload))
                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                      "}";
      dest.append(m.data(), m.data() + m.size());
    }
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_json_formatter() {
  return std::make_unique<JsonFormatter>();
}

void setup_logging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_color_mt("fortfail");
  spdlog::set_default_logger(logger);
  if (format == "json") {
    spdlog::set_formatter(make_json_formatter());
    // Access lines share the sink (one stream, whole lines) under their own name.
    auto access = std::make_shared<spdlog::logger>(kAccessLogger, logger->sinks().begin(),
                                                   logger->sinks().end());
    spdlog::register_logger(access);
    http::use_json_access_log(access);
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::warn);
}

}  // namespace ff::orchestrator
