// `fortfail schedule rm ID`: removes a schedule; jobs it started go on.
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/id_command.h"

namespace ff::cli {

void add_schedule_rm(CLI::App& parent, Context& ctx, int* exit_code) {
  add_id_command(
      parent, ctx, exit_code,
      {"rm", "remove a schedule", "id", "the schedule's id (from `fortfail schedule list`)",
       "DELETE", [](const std::string& id) { return "/schedules/" + id; },
       [](std::ostream& out, const std::string& id, const nlohmann::json&) {
         out << "Removed schedule " << id << "\n";
       }});
}

}  // namespace ff::cli
