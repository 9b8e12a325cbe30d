#include "api/range.h"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace ff::api {

Result<std::optional<ByteRange>> parse_range(const std::string& header, uint64_t size) {
  constexpr std::string_view kPrefix = "bytes=";
  if (header.empty() || header.rfind(kPrefix, 0) != 0) return std::optional<ByteRange>();
  std::string_view spec = std::string_view(header).substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos)
    return std::optional<ByteRange>();  // multi: send all
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::optional<ByteRange>();
  auto num = [](std::string_view s, uint64_t* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
  };
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {
    uint64_t suffix = 0;
    if (!num(b, &suffix)) return std::optional<ByteRange>();
    if (suffix == 0 || size == 0) return OutOfRange("range not satisfiable");
    suffix = std::min(suffix, size);
    return std::optional<ByteRange>(ByteRange{size - suffix, suffix});
  }
  if (!num(a, &first)) return std::optional<ByteRange>();
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!num(b, &last) || last < first) {
    return std::optional<ByteRange>();
  }
  if (first >= size) return OutOfRange("range not satisfiable");
  last = std::min(last, size - 1);
  return std::optional<ByteRange>(ByteRange{first, last - first + 1});
}

}  // namespace ff::api
