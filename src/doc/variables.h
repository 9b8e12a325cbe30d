// Variable: one environment variable a binary reads, with its default and one
// line of meaning. Each binary keeps one table of these (config/variables.h,
// agent/variables.h, cli/variables.h); --help, the man pages and the docs are
// printed from or checked against it, and a unit test proves each table is
// exactly the set of names its configuration loader asks for.
//
// Thread-safety: plain constant data.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace ff::doc {

struct Variable {
  std::string_view name;
  std::string_view default_value;  // as a user would write it; "unset" when there is none
  std::string_view description;    // one line
};

// The "Environment variables:" block of --help: one entry per variable,
// "  NAME (default: X)" then the description indented below it.
std::string render_variables(std::span<const Variable> variables);

}  // namespace ff::doc
