// Tree blobs (src/repo/tree): decode_tree never crashes on any bytes (a tree
// blob may come from a hostile key holder), accepts only names a restore can
// use, and what it accepts re-encodes canonically: encode(decode(x)) is a
// fixed point of decode-then-encode.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "repo/tree.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto tree = ff::repo::decode_tree(in);
  if (!tree.ok()) {
    FF_FUZZ_CHECK(tree.status().code() == ff::Code::kDataLoss);
    return 0;
  }
  for (const auto& n : tree->nodes) {
    FF_FUZZ_CHECK(!n.name.empty() && n.name != "." && n.name != "..");
    FF_FUZZ_CHECK(n.name.find('/') == std::string::npos);
    FF_FUZZ_CHECK(n.name.find('\0') == std::string::npos);
  }
  std::string once = ff::repo::encode_tree(*tree);
  auto again = ff::repo::decode_tree(once);
  FF_FUZZ_CHECK(again.ok());
  FF_FUZZ_CHECK(ff::repo::encode_tree(*again) == once);
  return 0;
}
