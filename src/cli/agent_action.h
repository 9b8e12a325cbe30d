// `fortfail agent <verb> ID`: the agent credential commands share one shape:
// validate the id, POST /agents/ID/<action> with an empty object, print the
// answer (as JSON with --json).
//
// Thread-safety: single-threaded, like every command.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace CLI {
class App;
}

namespace ff::cli {

class Context;

// Prints a successful answer for agent `id` in the human format.
using AgentActionPrinter =
    std::function<void(std::ostream& out, const std::string& id, const nlohmann::json& answer)>;

// Registers subcommand `verb` (help text `description`) on `parent`; it POSTs
// to /agents/ID/`action`. `ctx` and `exit_code` must outlive `parent`.
void add_agent_action(CLI::App& parent, Context& ctx, int* exit_code, const char* verb,
                      const char* description, const char* action, AgentActionPrinter print);

}  // namespace ff::cli
