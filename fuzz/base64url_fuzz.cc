// base64url (src/common/base64): decoding never crashes, accepts only the
// canonical unpadded form (so decode then encode gives the input back), and
// encoding any bytes decodes to those bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/base64.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  auto decoded = ff::base64url_decode(in);
  if (decoded) FF_FUZZ_CHECK(ff::base64url_encode(*decoded) == in);

  std::string encoded = ff::base64url_encode(in);
  FF_FUZZ_CHECK(encoded.size() == (size * 4 + 2) / 3);
  auto back = ff::base64url_decode(encoded);
  FF_FUZZ_CHECK(back && *back == in);
  return 0;
}
