// Turns a fuzz input into an environment (and, for the agent, a command line):
//   NAME=VALUE lines (the last one of a name wins; a line without '=' sets the
//   name to the empty string), then optionally a line "--" after which every
//   line is one argv element.
// A line "@<byte>VALUE" sets the known name number <byte> (modulo the table)
// to VALUE: whatever the mutation does to that byte, the line still names a
// variable the code reads, so the fuzzer spends its time on the values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ff::fuzz {

struct EnvInput {
  std::map<std::string, std::string> env;
  std::vector<std::string> args;

  std::optional<std::string> get(const std::string& name) const {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  }
};

inline EnvInput parse_env_input(std::string_view in, const std::vector<std::string>& names) {
  EnvInput out;
  bool in_args = false;
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    if (!in_args && line == "--") {
      in_args = true;
    } else if (in_args) {
      out.args.emplace_back(line);
    } else if (line.size() >= 2 && line[0] == '@' && !names.empty()) {
      out.env[names[static_cast<unsigned char>(line[1]) % names.size()]] = line.substr(2);
    } else {
      size_t eq = line.find('=');
      std::string name(line.substr(0, eq));
      out.env[name] = eq == std::string_view::npos ? "" : std::string(line.substr(eq + 1));
    }
  }
  return out;
}

}  // namespace ff::fuzz
