// Conformance: the repository index (migration v004) on every backend:
// sessions and their holds, lookups, announcements, commits, locates and GC.
#include <map>

#include "store_test_support.h"

namespace ff::store::testing {
namespace {

std::string hex64(char c) { return std::string(64, c); }

class RepositoryTest : public StoreTest {
 protected:
  // Opens a live session `id` of `agent` in namespace `repo`, expiring at at(1000).
  void open_session(const std::string& id, const std::string& agent, const std::string& repo) {
    FF_ASSERT_OK(store_->insert_repo_session(RepoSession{id, agent, repo,
                                                         repo.starts_with("agent:") ? false : true,
                                                         at(0), at(1000), std::nullopt}));
  }
  // Announces pack `pack` (size 100) holding `blob` at 0..10 through `session`.
  Result<Pack> announce(const std::string& session, const std::string& pack,
                        const std::string& blob, const std::string& agent = "a1",
                        SystemTime when = at(1)) {
    return store_->announce_pack(session, Pack{pack, "", agent, 100, "pending", when, std::nullopt},
                                 {PackBlob{blob, "data", 0, 10}}, when, at(1000));
  }
  void make_available(const std::string& pack) {
    FF_ASSERT_OK(store_->update_pack_status(pack, "pending", "available", at(2)));
  }
  Snapshot repo_snapshot(const std::string& id) {
    Snapshot s = snapshot(id, "a1", at(3));
    s.status = "available";
    s.format = "repository-v1";
    s.root = hex64('f');
    return s;
  }
  std::map<std::string, std::string> lookup(const std::string& session,
                                            const std::vector<std::string>& ids) {
    auto r = store_->lookup_blobs(session, ids, at(5), at(1000));
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    if (!r.ok()) return {};
    return {r->begin(), r->end()};
  }
};

TEST_P(RepositoryTest, LookupFindsOnlyAvailablePacksOfTheNamespace) {
  open_session("s1", "a1", "agent:a1");
  open_session("s2", "a2", "agent:a2");
  ASSERT_TRUE(announce("s1", hex64('1'), hex64('b')).ok());
  EXPECT_TRUE(lookup("s1", {hex64('b')}).empty()) << "a pending pack is not known yet";
  make_available(hex64('1'));
  EXPECT_EQ(lookup("s1", {hex64('b'), hex64('c')}),
            (std::map<std::string, std::string>{{hex64('b'), hex64('1')}}));
  EXPECT_TRUE(lookup("s2", {hex64('b')}).empty()) << "another namespace";
}

TEST_P(RepositoryTest, HoldTakesOnlyAvailablePacksOfTheNamespace) {
  open_session("writer", "a1", "k");
  open_session("uploading", "a1", "k");
  ASSERT_TRUE(announce("writer", hex64('1'), hex64('b')).ok());
  ASSERT_TRUE(announce("uploading", hex64('2'), hex64('c')).ok());
  make_available(hex64('1'));
  ASSERT_TRUE(store_->commit_repo_session("writer", repo_snapshot("snap"), at(4)).ok());
  FF_ASSERT_OK(store_->delete_snapshot("snap"));  // '1' is now referenced by nothing

  open_session("s1", "a2", "k");
  open_session("other", "a3", "agent:a3");
  auto held = store_->hold_packs("s1", {hex64('3'), hex64('2'), hex64('1')}, at(5), at(1500));
  ASSERT_TRUE(held.ok()) << held.status().to_string();
  EXPECT_EQ(*held, std::vector<std::string>{hex64('1')}) << "'2' is pending, '3' unknown";
  EXPECT_EQ(store_->get_repo_session("s1")->expires_at, at(1500)) << "a hold extends the session";
  auto foreign = store_->hold_packs("other", {hex64('1')}, at(5), at(1000));
  ASSERT_TRUE(foreign.ok());
  EXPECT_TRUE(foreign->empty()) << "another namespace";

  // Held, the unreferenced pack survives GC at any grace, and the commit
  // references it.
  auto mark = store_->mark_unreferenced_packs(at(100), at(100), false);
  ASSERT_TRUE(mark.ok()) << mark.status().to_string();
  EXPECT_TRUE(mark->marked.empty());
  EXPECT_EQ(mark->kept_held, 2) << "'1' held by the hold, '2' by its upload";
  ASSERT_TRUE(store_->commit_repo_session("s1", repo_snapshot("snap2"), at(6)).ok());
  auto found = store_->locate_blobs("snap2", {hex64('b')});
  ASSERT_TRUE(found.ok()) << found.status().to_string();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].second.pack_id, hex64('1'));
  FF_EXPECT_CODE(store_->hold_packs("s1", {hex64('1')}, at(7), at(1000)), Code::kConflict);
  FF_EXPECT_CODE(store_->hold_packs("nope", {hex64('1')}, at(7), at(1000)), Code::kNotFound);
}

TEST_P(RepositoryTest, AnnouncingAnAvailablePackOnlyHoldsIt) {
  open_session("s1", "a1", "k");
  open_session("s2", "a2", "k");
  ASSERT_TRUE(announce("s1", hex64('1'), hex64('b')).ok());
  make_available(hex64('1'));
  auto again = announce("s2", hex64('1'), hex64('b'), "a2");
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->status, "available");
  EXPECT_EQ(again->agent_id, "a1");
}

TEST_P(RepositoryTest, AnnouncingIntoAnotherNamespaceConflicts) {
  open_session("s1", "a1", "agent:a1");
  open_session("s2", "a2", "agent:a2");
  ASSERT_TRUE(announce("s1", hex64('1'), hex64('b')).ok());
  FF_EXPECT_CODE(announce("s2", hex64('1'), hex64('b'), "a2"), Code::kConflict);
}

TEST_P(RepositoryTest, CommitNeedsEveryHeldPackAvailable) {
  open_session("s1", "a1", "k");
  ASSERT_TRUE(announce("s1", hex64('1'), hex64('b')).ok());
  auto refused = store_->commit_repo_session("s1", repo_snapshot("snap"), at(4));
  FF_EXPECT_CODE(refused, Code::kConflict);
  EXPECT_NE(refused.status().message().find(hex64('1')), std::string::npos);
  make_available(hex64('1'));
  auto done = store_->commit_repo_session("s1", repo_snapshot("snap"), at(4));
  ASSERT_TRUE(done.ok()) << done.status().to_string();
  EXPECT_EQ(done->stored_bytes, 100);
  EXPECT_TRUE(done->encrypted);
  auto stored = store_->get_snapshot("snap");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->format, "repository-v1");
  EXPECT_EQ(stored->repository, "k");
  EXPECT_EQ(stored->root, hex64('f'));
  FF_EXPECT_CODE(store_->commit_repo_session("s1", repo_snapshot("snap2"), at(4)),
                 Code::kConflict);  // closed
}

TEST_P(RepositoryTest, LocateAndReadAccessFollowTheSnapshot) {
  open_session("s1", "a1", "k");
  ASSERT_TRUE(announce("s1", hex64('1'), hex64('b')).ok());
  make_available(hex64('1'));
  ASSERT_TRUE(store_->commit_repo_session("s1", repo_snapshot("snap"), at(4)).ok());
  auto found = store_->locate_blobs("snap", {hex64('b'), hex64('c')});
  ASSERT_TRUE(found.ok()) << found.status().to_string();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].first, hex64('b'));
  EXPECT_EQ((*found)[0].second.pack_id, hex64('1'));
  EXPECT_EQ((*found)[0].second.length, 10);
  EXPECT_TRUE(*store_->agent_may_read_pack(hex64('1'), "a1"));
  EXPECT_FALSE(*store_->agent_may_read_pack(hex64('1'), "a2"));
  EXPECT_EQ(*store_->agent_pack_bytes("a1"), 100);
}

TEST_P(RepositoryTest, GcKeepsHeldYoungAndReferencedPacks) {
  open_session("live", "a1", "k");
  open_session("done", "a1", "k");
  ASSERT_TRUE(announce("live", hex64('1'), hex64('b')).ok());
  ASSERT_TRUE(announce("done", hex64('2'), hex64('c')).ok());
  ASSERT_TRUE(announce("done", hex64('3'), hex64('d'), "a1", at(50)).ok());
  FF_ASSERT_OK(store_->close_repo_session("done", at(60)));
  auto dry = store_->mark_unreferenced_packs(at(100), at(10), true);
  ASSERT_TRUE(dry.ok()) << dry.status().to_string();
  EXPECT_EQ(dry->marked.size(), 1u);
  EXPECT_EQ(dry->kept_held, 1);
  EXPECT_EQ(dry->kept_young, 1);
  EXPECT_EQ(store_->get_pack(hex64('2'))->status, "pending") << "a dry run marks nothing";

  auto mark = store_->mark_unreferenced_packs(at(100), at(10), false);
  ASSERT_TRUE(mark.ok()) << mark.status().to_string();
  ASSERT_EQ(mark->marked.size(), 1u);
  EXPECT_EQ(mark->marked[0].id, hex64('2'));
  auto deleting = store_->list_deleting_packs(10);
  ASSERT_TRUE(deleting.ok());
  ASSERT_EQ(deleting->size(), 1u);
  FF_EXPECT_CODE(announce("live", hex64('2'), hex64('c')), Code::kConflict);
  FF_ASSERT_OK(store_->delete_pack(hex64('2')));
  FF_EXPECT_CODE(store_->get_pack(hex64('2')), Code::kNotFound);
  FF_EXPECT_CODE(store_->delete_pack(hex64('1')), Code::kConflict);  // not deleting
}

TEST_P(RepositoryTest, ExpiredSessionHoldsNothingAndIsRefused) {
  open_session("s1", "a1", "k");
  ASSERT_TRUE(announce("s1", hex64('1'), hex64('b')).ok());
  auto mark = store_->mark_unreferenced_packs(at(2000), at(2000), false);
  ASSERT_TRUE(mark.ok()) << mark.status().to_string();
  EXPECT_EQ(mark->marked.size(), 1u);
  FF_EXPECT_CODE(store_->lookup_blobs("s1", {hex64('b')}, at(2000), at(3000)), Code::kConflict);
}

TEST_P(RepositoryTest, UploadsExtendTheSessionsHoldingThePack) {
  open_session("s1", "a1", "k");
  ASSERT_TRUE(announce("s1", hex64('1'), hex64('b')).ok());
  FF_ASSERT_OK(store_->extend_sessions_holding(hex64('1'), at(900), at(1900)));
  EXPECT_EQ(store_->get_repo_session("s1")->expires_at, at(1900));
  FF_ASSERT_OK(store_->extend_sessions_holding(hex64('1'), at(900), at(1500)));
  EXPECT_EQ(store_->get_repo_session("s1")->expires_at, at(1900)) << "never shortened";
  FF_ASSERT_OK(store_->extend_sessions_holding(hex64('1'), at(2000), at(3000)));
  EXPECT_EQ(store_->get_repo_session("s1")->expires_at, at(1900)) << "an expired one stays expired";
}

TEST_P(RepositoryTest, DeletingTheSnapshotUnreferencesItsPacks) {
  open_session("s1", "a1", "k");
  ASSERT_TRUE(announce("s1", hex64('1'), hex64('b')).ok());
  make_available(hex64('1'));
  ASSERT_TRUE(store_->commit_repo_session("s1", repo_snapshot("snap"), at(4)).ok());
  auto kept = store_->mark_unreferenced_packs(at(100), at(100), false);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->marked.empty());
  FF_ASSERT_OK(store_->delete_snapshot("snap"));
  auto gone = store_->mark_unreferenced_packs(at(100), at(100), false);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->marked.size(), 1u);
}

TEST_P(RepositoryTest, TarSnapshotsKeepTheirDefaults) {
  add_snapshot("tar1", "a1", at(0));
  auto s = store_->get_snapshot("tar1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->format, "tar");
  EXPECT_FALSE(s->encrypted);
  EXPECT_FALSE(s->root.has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryTest,
                         ::testing::Values(Backend::kSqliteFile, Backend::kSqliteMemory,
                                           Backend::kPostgres),
                         backend_label);

}  // namespace
}  // namespace ff::store::testing
