// Repository key files (src/repo/key): parse_key_file never crashes on any
// text, refuses with kInvalidArgument only, never echoes the file's
// `master_key` value in its message, and whatever it accepts has the key id
// its master key derives and writes back to a file that parses to that key.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "repo/key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto key = ff::repo::parse_key_file(in);
  if (!key.ok()) {
    FF_FUZZ_CHECK(key.status().code() == ff::Code::kInvalidArgument);
    // The value after "master_key":" (when long enough to be key material)
    // must not appear in the message. Shorter values can be words the message
    // says itself: the fuzzer found "fail-repository-key", a part of the
    // format name ("fortfail-repository-key", 23 characters) that a refusal
    // quotes. A 32-byte key is 43 characters of base64url.
    size_t at = in.find("\"master_key\":\"");
    if (at != std::string_view::npos) {
      std::string_view value = in.substr(at + 14);
      value = value.substr(0, value.find('"'));
      if (value.size() >= 24) {
        FF_FUZZ_CHECK(key.status().message().find(value) == std::string::npos);
      }
    }
    return 0;
  }
  FF_FUZZ_CHECK(ff::repo::derive_key(key->master).key_id == key->key_id);
  auto again = ff::repo::parse_key_file(ff::repo::encode_key_file(*key, ff::from_unix_seconds(0)));
  FF_FUZZ_CHECK(again.ok() && again->master == key->master);
  return 0;
}
