#include "common/address_ranges.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace ff {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses a literal address into 16 bytes; IPv4 (and IPv4-mapped IPv6) as v4.
bool parse_address(std::string_view text, bool* v6, std::array<uint8_t, 16>* out) {
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  out->fill(0);
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    *v6 = false;
    std::memcpy(out->data(), &a4, 4);
    return true;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) != 1) return false;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(&a6, kMapped, 12) == 0) {
    *v6 = false;
    std::memcpy(out->data(), reinterpret_cast<const uint8_t*>(&a6) + 12, 4);
    return true;
  }
  *v6 = true;
  std::memcpy(out->data(), &a6, 16);
  return true;
}

}  // namespace

Result<AddressRanges> AddressRanges::parse(std::string_view list) {
  AddressRanges out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view entry = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    Range r;
    std::string_view address = entry;
    int prefix = -1;
    if (size_t slash = entry.find('/'); slash != std::string_view::npos) {
      address = entry.substr(0, slash);
      std::string_view bits = entry.substr(slash + 1);
      auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
      if (ec != std::errc() || p != bits.data() + bits.size() || prefix < 0) {
        return InvalidArgument("'" + std::string(entry) + "' has no valid prefix length");
      }
    }
    if (!parse_address(address, &r.v6, &r.bytes)) {
      return InvalidArgument("'" + std::string(entry) + "' is not an IP address or CIDR range");
    }
    const int max = r.v6 ? 128 : 32;
    if (prefix > max) {
      return InvalidArgument("'" + std::string(entry) + "': prefix longer than " +
                             std::to_string(max) + " bits");
    }
    r.prefix = prefix < 0 ? max : prefix;
    out.ranges_.push_back(r);
  }
  return out;
}

bool AddressRanges::contains(std::string_view address) const {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  if (!parse_address(trim(address), &v6, &bytes)) return false;
  for (const Range& r : ranges_) {
    if (r.v6 != v6) continue;
    int whole = r.prefix / 8, rest = r.prefix % 8;
    if (std::memcmp(r.bytes.data(), bytes.data(), static_cast<size_t>(whole)) != 0) continue;
    if (rest != 0) {
      uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
      if ((r.bytes[whole] & mask) != (bytes[whole] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string forwarded_client(std::string_view peer, std::string_view forwarded_for,
                             const AddressRanges& trusted) {
  std::string client(peer);
  if (trusted.empty() || !trusted.contains(peer)) return client;
  // Right to left: the last entry was added by the trusted peer itself.
  while (!forwarded_for.empty()) {
    size_t comma = forwarded_for.rfind(',');
    std::string_view hop =
        trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};
    if (!parse_address(hop, &v6, &bytes)) break;  // garbage: keep the last good hop
    client = std::string(hop);
    if (!trusted.contains(hop)) break;
  }
  return client;
}

}  // namespace ff
