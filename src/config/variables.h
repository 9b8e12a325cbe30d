// The orchestrator's environment variables: the one table --help, the man page
// and the docs are printed from or checked against. config::load() reads
// exactly these names (tests/unit/config/variables_test.cc proves it), so a
// new variable is added here in the same change that reads it.
//
// Thread-safety: constant data.
#pragma once

#include <span>

#include "doc/variables.h"

namespace ff::config {

std::span<const doc::Variable> orchestrator_variables();

}  // namespace ff::config
