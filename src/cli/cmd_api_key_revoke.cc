// `fortfail api-key revoke ID`: the key and every token minted from it stop working at once.
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/id_command.h"

namespace ff::cli {

void add_api_key_revoke(CLI::App& parent, Context& ctx, int* exit_code) {
  add_id_command(
      parent, ctx, exit_code,
      {"revoke", "revoke a key and its tokens", "id", "the key's id (from `fortfail api-key list`)",
       "DELETE", [](const std::string& id) { return "/api-keys/" + id; },
       [](std::ostream& out, const std::string& id, const nlohmann::json&) {
         out << "Revoked API key " << id << "\n";
       }});
}

}  // namespace ff::cli
