// fortfail-agent's environment variables: the one table its --help footer, man
// page and docs/agent.md are printed from or checked against.
// parse_agent_config() reads exactly these names
// (tests/unit/agent/variables_test.cc proves it); each also has a flag, named
// in brackets in the flag's help.
//
// Thread-safety: constant data.
#pragma once

#include <span>

#include "doc/variables.h"

namespace ff::agent {

std::span<const doc::Variable> agent_variables();

}  // namespace ff::agent
