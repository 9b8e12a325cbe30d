// `fortfail schedule list`: every schedule with its timing, next and last run.
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/table_command.h"

namespace ff::cli {

namespace {

std::string timing(const nlohmann::json& s) {
  if (s.contains("cron") && s["cron"].is_string()) return "cron " + field(s, "cron");
  return "every " + field(s, "interval_seconds") + "s";
}

std::string last_run(const nlohmann::json& s) {
  if (!s.contains("last_run_at") || s["last_run_at"].is_null()) return "";
  std::string out = field(s, "last_run_at") + " " + field(s, "last_status");
  if (s.contains("last_error") && s["last_error"].is_string()) {
    out += ": " + field(s, "last_error");
  }
  return out;
}

}  // namespace

void add_schedule_list(CLI::App& parent, Context& ctx, int* exit_code) {
  add_table_command(parent, ctx, exit_code,
                    {"list",
                     "list schedules with their next and last run",
                     "/schedules",
                     {"ID", "AGENT", "KIND", "WHEN", "NEXT RUN", "LAST RUN"},
                     [](const nlohmann::json& s) {
                       bool enabled = s.value("enabled", true);
                       return std::vector<std::string>{
                           field(s, "id"),
                           field(s, "agent_id"),
                           field(s, "kind"),
                           timing(s),
                           enabled ? field(s, "next_run_at") : "disabled",
                           last_run(s)};
                     }});
}

}  // namespace ff::cli
