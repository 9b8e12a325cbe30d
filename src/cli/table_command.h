// Commands of one shape, `fortfail <noun> list`: GET one unpaged list and
// print it as a table (as JSON with --json). `webhook list` and `schedule
// list` are this one command with different paths, headers and rows.
//
// Thread-safety: single-threaded, like every command.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace CLI {
class App;
}

namespace ff::cli {

class Context;

struct TableCommand {
  const char* verb;         // the subcommand's name
  const char* description;  // its help line
  const char* path;         // GET this; the answer is a JSON array
  std::vector<std::string> headers;
  // One item's cells, as many as `headers`.
  std::function<std::vector<std::string>(const nlohmann::json& item)> row;
};

// Registers `command` on `parent`. `ctx` and `exit_code` must outlive `parent`.
void add_table_command(CLI::App& parent, Context& ctx, int* exit_code, TableCommand command);

}  // namespace ff::cli
