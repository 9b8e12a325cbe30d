// Conformance: migrations, agents and snapshots, on every backend.
#include <thread>

#include "store_test_support.h"

namespace ff::store::testing {
namespace {

TEST_P(StoreTest, MigrateTwiceIsNoOpAndKeepsData) {
  add_snapshot("s1", "a1", at(0));
  FF_ASSERT_OK(store_->migrate());
  FF_ASSERT_OK(store_->migrate());
  auto got = store_->get_snapshot("s1");
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->agent_id, "a1");
}

TEST_P(StoreTest, SecondStoreOnSameDatabaseMigratesAsNoOpAndSeesData) {
  if (in_memory()) GTEST_SKIP() << "an in-memory database belongs to one store";
  add_snapshot("s1", "a1", at(0));
  auto second = open_second_store();
  ASSERT_NE(second, nullptr);
  FF_EXPECT_OK(second->get_snapshot("s1"));
}

TEST_P(StoreTest, ConcurrentMigrationsOfFreshDatabaseBothSucceed) {
  if (in_memory()) GTEST_SKIP() << "an in-memory database belongs to one store";
  std::string url = fresh_url();
  auto a = open_store(url);
  auto b = open_store(url);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  Status sa, sb;
  std::thread ta([&] { sa = (*a)->migrate(); });
  std::thread tb([&] { sb = (*b)->migrate(); });
  ta.join();
  tb.join();
  FF_EXPECT_OK(sa);
  FF_EXPECT_OK(sb);
  FF_ASSERT_OK((*a)->insert_snapshot(snapshot("s1", "a1", at(0))));
  FF_EXPECT_OK((*b)->get_snapshot("s1"));
}

TEST_P(StoreTest, PingSucceeds) { FF_EXPECT_OK(store_->ping()); }

TEST_P(StoreTest, BackendNameNamesTheBackend) {
  EXPECT_EQ(store_->backend_name(), GetParam() == Backend::kPostgres ? "postgresql" : "sqlite");
}

// ---- agents

TEST_P(StoreTest, TouchAgentInsertsWithFirstSeenAndLastSeenEqual) {
  FF_ASSERT_OK(store_->touch_agent("a1", at(5)));
  auto a = store_->get_agent("a1");
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a->first_seen, at(5));
  EXPECT_EQ(a->last_seen, at(5));
  EXPECT_EQ(a->snapshot_count, 0);
  EXPECT_FALSE(a->last_snapshot_at.has_value());
}

TEST_P(StoreTest, TouchAgentMovesLastSeenForwardOnly) {
  FF_ASSERT_OK(store_->touch_agent("a1", at(5)));
  FF_ASSERT_OK(store_->touch_agent("a1", at(9)));
  FF_ASSERT_OK(store_->touch_agent("a1", at(7)));
  auto a = store_->get_agent("a1");
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_EQ(a->first_seen, at(5));
  EXPECT_EQ(a->last_seen, at(9));
}

TEST_P(StoreTest, GetUnknownAgentIsNotFound) {
  FF_EXPECT_CODE(store_->get_agent("nobody"), Code::kNotFound);
}

TEST_P(StoreTest, ListAgentsFillsSnapshotCountAndLastSnapshotTime) {
  FF_ASSERT_OK(store_->touch_agent("a1", at(0)));
  FF_ASSERT_OK(store_->touch_agent("a2", at(1)));
  add_snapshot("s1", "a1", at(10));
  add_snapshot("s2", "a1", at(20));
  auto agents = store_->list_agents();
  ASSERT_TRUE(agents.ok()) << agents.status().to_string();
  ASSERT_EQ(agents->size(), 2u);
  const Agent& a2 = (*agents)[0];  // newest first
  const Agent& a1 = (*agents)[1];
  EXPECT_EQ(a2.id, "a2");
  EXPECT_EQ(a2.snapshot_count, 0);
  EXPECT_FALSE(a2.last_snapshot_at.has_value());
  EXPECT_EQ(a1.id, "a1");
  EXPECT_EQ(a1.snapshot_count, 2);
  EXPECT_EQ(a1.last_snapshot_at, at(20));
  auto one = store_->get_agent("a1");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->snapshot_count, 2);
}

// ---- snapshots

TEST_P(StoreTest, InsertedSnapshotReadsBackFieldForField) {
  Snapshot s = snapshot("s1", "a1", at(3));
  FF_ASSERT_OK(store_->insert_snapshot(s));
  auto got = store_->get_snapshot("s1");
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->id, s.id);
  EXPECT_EQ(got->agent_id, s.agent_id);
  EXPECT_EQ(got->checksum, s.checksum);
  EXPECT_EQ(got->size, s.size);
  EXPECT_EQ(got->metadata_json, s.metadata_json);
  EXPECT_EQ(got->status, "pending");
  EXPECT_EQ(got->created_at, at(3));
  EXPECT_FALSE(got->uploaded_at.has_value());
}

TEST_P(StoreTest, SnapshotWithoutMetadataReadsBackAsEmptyObject) {
  Snapshot s = snapshot("s1", "a1", at(3));
  s.metadata_json.clear();
  FF_ASSERT_OK(store_->insert_snapshot(s));
  auto got = store_->get_snapshot("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->metadata_json, "{}");
}

TEST_P(StoreTest, InsertDuplicateSnapshotIsConflictNamingIt) {
  add_snapshot("s1", "a1", at(0));
  Status st = store_->insert_snapshot(snapshot("s1", "a2", at(1)));
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_EQ(st.message(), "snapshot s1 already exists");
  auto got = store_->get_snapshot("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->agent_id, "a1");
}

TEST_P(StoreTest, GetUnknownSnapshotIsNotFound) {
  FF_EXPECT_CODE(store_->get_snapshot("missing"), Code::kNotFound);
}

TEST_P(StoreTest, ListSnapshotsFiltersByAgentAndStatus) {
  add_snapshot("s1", "a1", at(1));
  add_snapshot("s2", "a1", at(2));
  add_snapshot("s3", "a2", at(3));
  FF_ASSERT_OK(store_->update_snapshot_status("s2", "pending", "available", at(4)));

  SnapshotFilter by_agent;
  by_agent.agent_id = "a1";
  auto l = store_->list_snapshots(by_agent, Page{});
  ASSERT_TRUE(l.ok()) << l.status().to_string();
  ASSERT_EQ(l->items.size(), 2u);
  EXPECT_EQ(l->items[0].id, "s2");
  EXPECT_EQ(l->items[1].id, "s1");
  EXPECT_EQ(l->total, 2);

  SnapshotFilter both = by_agent;
  both.status = "available";
  l = store_->list_snapshots(both, Page{});
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->items.size(), 1u);
  EXPECT_EQ(l->items[0].id, "s2");
  EXPECT_EQ(l->total, 1);

  SnapshotFilter by_status;
  by_status.status = "pending";
  l = store_->list_snapshots(by_status, Page{});
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->items.size(), 2u);
  EXPECT_EQ(l->items[0].id, "s3");
  EXPECT_EQ(l->items[1].id, "s1");

  SnapshotFilter nobody;
  nobody.agent_id = "a9";
  l = store_->list_snapshots(nobody, Page{});
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->items.empty());
  EXPECT_EQ(l->total, 0);
}

TEST_P(StoreTest, ListSnapshotsPagesNewestFirstWithTotal) {
  for (int i = 0; i < 7; ++i) add_snapshot("s" + std::to_string(i), "a1", at(i));
  // Same created_at: the id breaks the tie, descending.
  add_snapshot("s6b", "a1", at(6));

  auto page1 = store_->list_snapshots({}, Page{3, 0});
  ASSERT_TRUE(page1.ok()) << page1.status().to_string();
  EXPECT_EQ(page1->total, 8);
  ASSERT_EQ(page1->items.size(), 3u);
  EXPECT_EQ(page1->items[0].id, "s6b");
  EXPECT_EQ(page1->items[1].id, "s6");
  EXPECT_EQ(page1->items[2].id, "s5");

  auto page3 = store_->list_snapshots({}, Page{3, 6});
  ASSERT_TRUE(page3.ok());
  EXPECT_EQ(page3->total, 8);
  ASSERT_EQ(page3->items.size(), 2u);
  EXPECT_EQ(page3->items[0].id, "s1");
  EXPECT_EQ(page3->items[1].id, "s0");

  auto past_end = store_->list_snapshots({}, Page{3, 30});
  ASSERT_TRUE(past_end.ok());
  EXPECT_TRUE(past_end->items.empty());
  EXPECT_EQ(past_end->total, 8);
}

TEST_P(StoreTest, UpdateSnapshotStatusSetsStatusAndUploadedAt) {
  add_snapshot("s1", "a1", at(0));
  FF_ASSERT_OK(store_->update_snapshot_status("s1", "pending", "available", at(30)));
  auto got = store_->get_snapshot("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "available");
  EXPECT_EQ(got->uploaded_at, at(30));
}

TEST_P(StoreTest, UpdateSnapshotStatusWithoutUploadedAtKeepsIt) {
  add_snapshot("s1", "a1", at(0));
  FF_ASSERT_OK(store_->update_snapshot_status("s1", "pending", "available", at(30)));
  FF_ASSERT_OK(store_->update_snapshot_status("s1", "available", "corrupt", std::nullopt));
  auto got = store_->get_snapshot("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "corrupt");
  EXPECT_EQ(got->uploaded_at, at(30));
}

TEST_P(StoreTest, UpdateSnapshotStatusFromWrongStatusIsConflictAndChangesNothing) {
  add_snapshot("s1", "a1", at(0));
  FF_EXPECT_CODE(store_->update_snapshot_status("s1", "available", "corrupt", at(5)),
                 Code::kConflict);
  auto got = store_->get_snapshot("s1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "pending");
  EXPECT_FALSE(got->uploaded_at.has_value());
}

TEST_P(StoreTest, UpdateStatusOfUnknownSnapshotIsNotFound) {
  FF_EXPECT_CODE(store_->update_snapshot_status("nope", "pending", "available", at(1)),
                 Code::kNotFound);
}

TEST_P(StoreTest, DeleteSnapshotRemovesIt) {
  add_snapshot("s1", "a1", at(0));
  FF_ASSERT_OK(store_->delete_snapshot("s1"));
  FF_EXPECT_CODE(store_->get_snapshot("s1"), Code::kNotFound);
}

TEST_P(StoreTest, DeleteUnknownSnapshotIsNotFound) {
  FF_EXPECT_CODE(store_->delete_snapshot("nope"), Code::kNotFound);
}

TEST_P(StoreTest, DeleteSnapshotIsConflictWhilePendingJobNamesIt) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  FF_EXPECT_CODE(store_->delete_snapshot("s1"), Code::kConflict);
  FF_EXPECT_OK(store_->get_snapshot("s1"));
}

TEST_P(StoreTest, DeleteSnapshotIsConflictWhileInProgressJobNamesIt) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  auto r = store_->record_job_event(event("j1", "a2", "restore_started", at(2)),
                                    to_status("in_progress"), at(300));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  FF_EXPECT_CODE(store_->delete_snapshot("s1"), Code::kConflict);
}

TEST_P(StoreTest, DeleteSnapshotIsAllowedOnceItsJobsFinished) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  add_job("j2", "c2", "s1", "a3", at(1));
  ASSERT_TRUE(store_
                  ->record_job_event(event("j1", "a2", "restore_completed", at(2)),
                                     to_status("completed"), at(300))
                  .ok());
  ASSERT_TRUE(store_
                  ->record_job_event(event("j2", "a3", "restore_failed", at(2)),
                                     to_status("failed"), at(300))
                  .ok());
  FF_ASSERT_OK(store_->delete_snapshot("s1"));
  FF_EXPECT_CODE(store_->get_snapshot("s1"), Code::kNotFound);
  // The finished jobs keep naming it.
  auto j = store_->get_restore_job("j1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->snapshot_id, "s1");
}

}  // namespace
}  // namespace ff::store::testing
