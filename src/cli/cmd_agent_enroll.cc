// `fortfail agent enroll ID`: a one-time enrollment code for the agent
// (give it to the agent as AGENT_ENROLLMENT_CODE).
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/id_command.h"

namespace ff::cli {

void add_agent_enroll(CLI::App& parent, Context& ctx, int* exit_code) {
  add_id_command(
      parent, ctx, exit_code,
      {"enroll", "create a one-time enrollment code for an agent", "agent_id", "the agent's id",
       "POST", [](const std::string& id) { return "/agents/" + id + "/enrollment"; },
       [](std::ostream& out, const std::string& id, const nlohmann::json& r) {
         out << "Enrollment code for agent " << id << " (one use, until " << field(r, "expires_at")
             << "):\n"
             << field(r, "enrollment_code") << "\n"
             << "Start the agent with AGENT_ENROLLMENT_CODE set to it.\n";
       }});
}

}  // namespace ff::cli
