// FF_FUZZ_CHECK: the fuzz targets' property check. A violated property aborts
// with the condition and its line, which libFuzzer reports as a crash and saves
// the input that caused it (asserts would vanish under NDEBUG).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FF_FUZZ_CHECK(cond)                                                              \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
