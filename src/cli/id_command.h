// Commands of one shape, `fortfail <noun> <verb> ID`: validate the id, send one
// request naming it, print the answer (as JSON with --json). `agent enroll`,
// `agent revoke`, `api-key revoke`, `webhook rm` and `schedule rm` are this one command with
// different words, paths and printers.
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

// Prints a successful answer for `id` in the human format.
using IdAnswerPrinter =
    std::function<void(std::ostream& out, const std::string& id, const nlohmann::json& answer)>;

struct IdCommand {
  const char* verb;         // the subcommand's name
  const char* description;  // its help line
  const char* id_field;     // the id's name in errors ("agent_id", "id")
  const char* id_help;      // the positional argument's help
  const char* method;       // "POST" (with an empty object) or "DELETE"
  std::function<std::string(const std::string& id)> path;
  IdAnswerPrinter print;
};

// Registers `command` on `parent`. `ctx` and `exit_code` must outlive `parent`.
void add_id_command(CLI::App& parent, Context& ctx, int* exit_code, IdCommand command);

}  // namespace ff::cli
