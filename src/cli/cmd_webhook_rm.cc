// `fortfail webhook rm ID`: stops deliveries to the webhook at once.
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/id_command.h"

namespace ff::cli {

void add_webhook_rm(CLI::App& parent, Context& ctx, int* exit_code) {
  add_id_command(parent, ctx, exit_code,
                 {"rm", "remove a webhook", "id", "the webhook's id (from `fortfail webhook list`)",
                  "DELETE", [](const std::string& id) { return "/webhooks/" + id; },
                  [](std::ostream& out, const std::string& id, const nlohmann::json&) {
                    out << "Removed webhook " << id << "\n";
                  }});
}

}  // namespace ff::cli
