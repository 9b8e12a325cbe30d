#include "sys/env.h"

namespace ff::sys {

Env posix_env() { return Env{&system_clock(), &posix_file_system(), &secure_random()}; }

}  // namespace ff::sys
