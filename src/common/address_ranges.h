// AddressRanges: a list of IP addresses and CIDR ranges (IPv4 and IPv6), and
// whether an address falls in one of them. Used for ORCH_TRUSTED_PROXIES: the
// peers whose X-Forwarded-For the orchestrator believes.
//
// Thread-safety: immutable after parse; contains() from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ff {

class AddressRanges {
 public:
  // "10.0.0.0/8, 192.0.2.7, ::1, fd00::/8": comma-separated, spaces allowed,
  // empty for none. kInvalidArgument naming the bad entry.
  static Result<AddressRanges> parse(std::string_view list);

  // Whether `address` (a literal IPv4 or IPv6 address; an IPv4-mapped IPv6
  // address counts as IPv4) is in a range. False for anything unparsable.
  bool contains(std::string_view address) const;
  bool empty() const { return ranges_.empty(); }

 private:
  struct Range {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};
    int prefix = 0;  // leading bits that must match
  };
  std::vector<Range> ranges_;
};

// The client an X-Forwarded-For header names, believed only as far as the
// chain of trusted proxies goes: from the peer, each address that is a
// trusted proxy yields to the one before it in the header (haproxy and
// nginx append the address they saw). Returns `peer` when it is not trusted
// or the header is empty.
std::string forwarded_client(std::string_view peer, std::string_view forwarded_for,
                             const AddressRanges& trusted);

}  // namespace ff
