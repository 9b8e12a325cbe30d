// ManPage: a section-1 manual page in roff (man(7) macros), written from the
// same sources as --help: a binary's CLI11 command tree (options and
// subcommands, hidden ones left out) and its variable table. The build runs
// each binary with --man to produce fortfail.1, fortfail-agent.1 and
// fortfail-orchestrator.1.
//
// Thread-safety: plain functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "doc/variables.h"

namespace CLI {
class App;
}

namespace ff::doc {

// A command of a binary that has no CLI11 tree (the orchestrator).
struct Command {
  std::string_view usage;  // "wal verify PATH"
  std::string_view description;
};

struct ManPage {
  std::string name;               // "fortfail-agent"
  std::string summary;            // one line, for NAME
  std::string description;        // paragraphs separated by blank lines
  const CLI::App* app = nullptr;  // options and subcommands, when the binary has a tree
  std::vector<Command> commands;  // otherwise its commands
  std::span<const Variable> variables;
  std::string files;  // FILES section, one "path: meaning" per line; may be empty
};

std::string render_man(const ManPage& page);

}  // namespace ff::doc
