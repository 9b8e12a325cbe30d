// Conformance: API keys and agent credentials (migration v003), on every backend.
#include "store_test_support.h"

namespace ff::store::testing {
namespace {

ApiKey key(const std::string& id, const std::string& hash, SystemTime created) {
  return ApiKey{id, "name-" + id, "viewer", hash, created, std::nullopt};
}

TEST_P(StoreTest, ApiKeysAreFoundByHashListedAndRevokedOnce) {
  FF_ASSERT_OK(store_->insert_api_key(key("k1", "h1", at(0))));
  FF_ASSERT_OK(store_->insert_api_key(key("k2", "h2", at(1))));
  EXPECT_EQ(store_->insert_api_key(key("k1", "h3", at(2))).code(), Code::kConflict);
  EXPECT_EQ(store_->insert_api_key(key("k3", "h1", at(2))).code(), Code::kConflict);

  auto found = store_->find_api_key_by_hash("h2");
  ASSERT_TRUE(found.ok()) << found.status().to_string();
  EXPECT_EQ(found->id, "k2");
  EXPECT_EQ(found->role, "viewer");
  EXPECT_FALSE(found->revoked_at.has_value());
  EXPECT_EQ(store_->find_api_key_by_hash("nope").status().code(), Code::kNotFound);

  FF_ASSERT_OK(store_->revoke_api_key("k1", at(10)));
  FF_ASSERT_OK(store_->revoke_api_key("k1", at(20)));  // the first time is kept
  EXPECT_EQ(store_->revoke_api_key("k9", at(10)).code(), Code::kNotFound);
  auto list = store_->list_api_keys();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, "k1");
  EXPECT_EQ((*list)[0].revoked_at, at(10));
  EXPECT_FALSE((*list)[1].revoked_at.has_value());
}

TEST_P(StoreTest, EnrollmentCodeIsConsumedOnceBeforeItExpires) {
  EXPECT_EQ(store_->get_agent_credential("a1").status().code(), Code::kNotFound);
  AgentCredential c;
  c.agent_id = "a1";
  c.enrollment_hash = "code";
  c.enrollment_expires_at = at(100);
  FF_ASSERT_OK(store_->put_agent_credential(c));
  // Wrong agent, wrong code, expired: refused alike.
  EXPECT_EQ(store_->consume_enrollment("a2", "code", "s", at(1)).code(), Code::kNotFound);
  EXPECT_EQ(store_->consume_enrollment("a1", "other", "s", at(1)).code(), Code::kNotFound);
  EXPECT_EQ(store_->consume_enrollment("a1", "code", "s", at(100)).code(), Code::kNotFound);
  FF_ASSERT_OK(store_->consume_enrollment("a1", "code", "secret", at(5)));
  EXPECT_EQ(store_->consume_enrollment("a1", "code", "again", at(6)).code(), Code::kNotFound);
  auto got = store_->get_agent_credential("a1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->secret_hash, "secret");
  EXPECT_FALSE(got->enrollment_hash.has_value());
  EXPECT_EQ(got->enrolled_at, at(5));

  // Revocation replaces the row whole.
  AgentCredential revoked;
  revoked.agent_id = "a1";
  revoked.revoked_at = at(50);
  FF_ASSERT_OK(store_->put_agent_credential(revoked));
  auto all = store_->list_agent_credentials();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_FALSE((*all)[0].secret_hash.has_value());
  EXPECT_EQ((*all)[0].revoked_at, at(50));
}

}  // namespace
}  // namespace ff::store::testing
