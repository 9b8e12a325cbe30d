// The `fortfail` CLI's environment variables: the one table its --help footer,
// man page and docs/cli.md are printed from or checked against. The CLI reads
// them through Context::env() (tests/unit/cli/variables_test.cc records the
// names its commands ask for and compares them with this table).
//
// Thread-safety: constant data.
#pragma once

#include <span>

#include "doc/variables.h"

namespace ff::cli {

std::span<const doc::Variable> cli_variables();

}  // namespace ff::cli
