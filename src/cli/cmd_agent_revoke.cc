// `fortfail agent revoke ID`: the agent's secret and every token it holds stop
// working at once; it mints again only after a new enrollment.
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/id_command.h"

namespace ff::cli {

void add_agent_revoke(CLI::App& parent, Context& ctx, int* exit_code) {
  add_id_command(
      parent, ctx, exit_code,
      {"revoke", "revoke an agent's credentials and tokens", "agent_id", "the agent's id", "POST",
       [](const std::string& id) { return "/agents/" + id + "/revoke"; },
       [](std::ostream& out, const std::string& id, const nlohmann::json&) {
         out << "Revoked agent " << id << "\n";
       }});
}

}  // namespace ff::cli
