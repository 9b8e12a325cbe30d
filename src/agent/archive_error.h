// libarchive's last error as text. archive_error_string() returns NULL when
// libarchive set no message (seen on damaged input: the fuzzer found it), and
// appending NULL to a std::string crashes; every caller goes through here.
#pragma once

#include <archive.h>

#include <string>

namespace ff::agent {

inline std::string archive_message(struct archive* a) {
  const char* m = archive_error_string(a);
  return m != nullptr ? std::string(m) : std::string("unknown libarchive error");
}

}  // namespace ff::agent
