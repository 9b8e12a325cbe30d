// Env bundles the seams objects take in their constructor: clock, file system
// and randomness. Production passes posix_env(); tests build their own from
// tests/support doubles.
#pragma once

#include "sys/clock.h"
#include "sys/file_system.h"
#include "sys/random.h"

namespace ff::sys {

struct Env {
  Clock* clock;
  FileSystem* fs;
  Random* random;
};

Env posix_env();

}  // namespace ff::sys
