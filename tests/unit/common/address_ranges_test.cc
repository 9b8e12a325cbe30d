#include "common/address_ranges.h"

#include <gtest/gtest.h>

namespace ff {
namespace {

AddressRanges ranges(std::string_view list) {
  auto r = AddressRanges::parse(list);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : AddressRanges{};
}

TEST(AddressRanges, MatchesAddressesAndCidrRanges) {
  AddressRanges r = ranges(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8, ::1, 172.16.0.0/12");
  EXPECT_TRUE(r.contains("10.1.2.3"));
  EXPECT_TRUE(r.contains("192.0.2.7"));
  EXPECT_FALSE(r.contains("192.0.2.8"));
  EXPECT_TRUE(r.contains("172.31.255.255"));
  EXPECT_FALSE(r.contains("172.32.0.1"));  // outside /12
  EXPECT_TRUE(r.contains("fd12::1"));
  EXPECT_TRUE(r.contains("::1"));
  EXPECT_TRUE(r.contains("[::1]"));
  EXPECT_FALSE(r.contains("fe80::1"));
  EXPECT_TRUE(r.contains("::ffff:10.9.9.9"));  // IPv4-mapped counts as IPv4
  EXPECT_FALSE(r.contains("not an address"));
  EXPECT_FALSE(r.contains(""));
}

TEST(AddressRanges, EmptyListMatchesNothing) {
  AddressRanges r = ranges("");
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.contains("127.0.0.1"));
}

TEST(AddressRanges, RefusesBadEntriesNamingThem) {
  for (const char* bad :
       {"10.0.0.0/33", "::/129", "10.0.0.0/x", "10.0.0/8", "example.com", "10.0.0.1/-1"}) {
    auto r = AddressRanges::parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  }
}

TEST(ForwardedClient, BelievesOnlyTrustedPeers) {
  AddressRanges proxies = ranges("127.0.0.1, 10.0.0.0/8");
  // An untrusted peer's header is ignored: anyone can send one.
  EXPECT_EQ(forwarded_client("203.0.113.9", "198.51.100.1", proxies), "203.0.113.9");
  // A trusted proxy names the client.
  EXPECT_EQ(forwarded_client("127.0.0.1", "198.51.100.1", proxies), "198.51.100.1");
  // Through two trusted proxies; a spoofed entry on the left is not reached.
  EXPECT_EQ(forwarded_client("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.1.1", proxies),
            "198.51.100.1");
  // No header, or garbage: the last address that can be trusted to have seen it.
  EXPECT_EQ(forwarded_client("127.0.0.1", "", proxies), "127.0.0.1");
  EXPECT_EQ(forwarded_client("127.0.0.1", "garbage", proxies), "127.0.0.1");
  EXPECT_EQ(forwarded_client("127.0.0.1", "garbage, 10.2.2.2", proxies), "10.2.2.2");
  // No trusted proxies configured: the peer, whatever the header says.
  EXPECT_EQ(forwarded_client("127.0.0.1", "198.51.100.1", AddressRanges{}), "127.0.0.1");
}

}  // namespace
}  // namespace ff
