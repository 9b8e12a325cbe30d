// Conformance: restore jobs, command leases and job events, on every backend.
#include "store_test_support.h"

namespace ff::store::testing {
namespace {

std::vector<std::string> ids(const std::vector<Command>& commands) {
  std::vector<std::string> out;
  for (const auto& c : commands) out.push_back(c.id);
  return out;
}

// ---- restore jobs

TEST_P(StoreTest, CreateRestoreJobInsertsJobAndItsCommand) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  auto j = store_->get_restore_job("j1");
  ASSERT_TRUE(j.ok()) << j.status().to_string();
  EXPECT_EQ(j->snapshot_id, "s1");
  EXPECT_EQ(j->target_agent_id, "a2");
  EXPECT_EQ(j->target_path, "/restore/here");
  EXPECT_EQ(j->status, "pending");
  EXPECT_EQ(j->created_at, at(1));
  EXPECT_EQ(j->updated_at, at(1));
  auto leased = store_->lease_commands("a2", at(2), at(302), 10);
  ASSERT_TRUE(leased.ok()) << leased.status().to_string();
  ASSERT_EQ(leased->size(), 1u);
  const Command& c = (*leased)[0];
  EXPECT_EQ(c.id, "c1");
  EXPECT_EQ(c.job_id, "j1");
  EXPECT_EQ(c.agent_id, "a2");
  EXPECT_EQ(c.command_type, "restore");
  EXPECT_EQ(c.payload_json, R"({"job_id":"j1","snapshot_id":"s"})");
  EXPECT_EQ(c.created_at, at(1));
}

TEST_P(StoreTest, CreateRestoreJobForUnknownSnapshotIsNotFoundAndInsertsNothing) {
  Status st =
      store_->create_restore_job(job("j1", "nope", "a2", at(1)), command("c1", "j1", "a2", at(1)));
  EXPECT_EQ(st.code(), Code::kNotFound) << st.to_string();
  FF_EXPECT_CODE(store_->get_restore_job("j1"), Code::kNotFound);
}

TEST_P(StoreTest, CreateRestoreJobWithDuplicateJobIdIsConflictAndInsertsNothing) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  Status st =
      store_->create_restore_job(job("j1", "s1", "a3", at(2)), command("c2", "j1", "a3", at(2)));
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_EQ(st.message(), "restore job j1 already exists");
  auto leased = store_->lease_commands("a3", at(3), at(303), 10);
  ASSERT_TRUE(leased.ok());
  EXPECT_TRUE(leased->empty());
  auto j = store_->get_restore_job("j1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->target_agent_id, "a2");
}

TEST_P(StoreTest, CreateRestoreJobWithDuplicateCommandIdIsConflictAndInsertsNoJob) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  Status st =
      store_->create_restore_job(job("j2", "s1", "a2", at(2)), command("c1", "j2", "a2", at(2)));
  EXPECT_EQ(st.code(), Code::kConflict);
  EXPECT_EQ(st.message(), "command c1 already exists");
  FF_EXPECT_CODE(store_->get_restore_job("j2"), Code::kNotFound);
}

TEST_P(StoreTest, GetUnknownRestoreJobIsNotFound) {
  FF_EXPECT_CODE(store_->get_restore_job("nope"), Code::kNotFound);
}

TEST_P(StoreTest, ListRestoreJobsFiltersPagesAndCounts) {
  add_snapshot("s1", "a1", at(0));
  add_snapshot("s2", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  add_job("j2", "c2", "s1", "a3", at(2));
  add_job("j3", "c3", "s2", "a2", at(3));
  add_job("j4", "c4", "s2", "a2", at(4));
  ASSERT_TRUE(store_
                  ->record_job_event(event("j4", "a2", "restore_started", at(5)),
                                     to_status("in_progress"), at(300))
                  .ok());

  auto all = store_->list_restore_jobs({}, Page{2, 0});
  ASSERT_TRUE(all.ok()) << all.status().to_string();
  EXPECT_EQ(all->total, 4);
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->items[0].id, "j4");
  EXPECT_EQ(all->items[1].id, "j3");

  RestoreJobFilter target;
  target.target_agent_id = "a2";
  auto l = store_->list_restore_jobs(target, Page{2, 2});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->total, 3);
  ASSERT_EQ(l->items.size(), 1u);
  EXPECT_EQ(l->items[0].id, "j1");

  RestoreJobFilter status = target;
  status.status = "in_progress";
  l = store_->list_restore_jobs(status, Page{});
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->items.size(), 1u);
  EXPECT_EQ(l->items[0].id, "j4");
  EXPECT_EQ(l->items[0].status, "in_progress");

  RestoreJobFilter by_snapshot;
  by_snapshot.snapshot_id = "s1";
  l = store_->list_restore_jobs(by_snapshot, Page{});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->total, 2);
  ASSERT_EQ(l->items.size(), 2u);
  EXPECT_EQ(l->items[0].id, "j2");

  by_snapshot.target_agent_id = "a3";
  l = store_->list_restore_jobs(by_snapshot, Page{1, 0});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->total, 1);
}

// ---- command leases

TEST_P(StoreTest, LeaseReturnsPendingCommandsMarkedSentWithLease) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  auto leased = store_->lease_commands("a2", at(10), at(310), 10);
  ASSERT_TRUE(leased.ok()) << leased.status().to_string();
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ((*leased)[0].status, "sent");
  EXPECT_EQ((*leased)[0].lease_expires_at, at(310));
  EXPECT_EQ((*leased)[0].delivery_count, 1);
}

TEST_P(StoreTest, LeasedCommandIsNotReturnedAgainBeforeLeaseExpiry) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  ASSERT_EQ(store_->lease_commands("a2", at(10), at(310), 10)->size(), 1u);
  auto again = store_->lease_commands("a2", at(309), at(609), 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_P(StoreTest, LeasedCommandIsReturnedAgainAfterExpiryWithDeliveryCountTwo) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  ASSERT_EQ(store_->lease_commands("a2", at(10), at(310), 10)->size(), 1u);
  auto again = store_->lease_commands("a2", at(310), at(610), 10);
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].id, "c1");
  EXPECT_EQ((*again)[0].delivery_count, 2);
  EXPECT_EQ((*again)[0].lease_expires_at, at(610));
}

TEST_P(StoreTest, LeaseHonoursLimitOldestFirst) {
  add_snapshot("s1", "a1", at(0));
  for (int i = 0; i < 5; ++i) {
    add_job("j" + std::to_string(i), "c" + std::to_string(i), "s1", "a2", at(10 - i));
  }
  auto first = store_->lease_commands("a2", at(20), at(320), 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ids(*first), (std::vector<std::string>{"c4", "c3"}));
  auto rest = store_->lease_commands("a2", at(20), at(320), 10);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(ids(*rest), (std::vector<std::string>{"c2", "c1", "c0"}));
  auto none = store_->lease_commands("a2", at(20), at(320), 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreTest, LeaseLeavesOtherAgentsCommandsUntouched) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  add_job("j2", "c2", "s1", "a3", at(1));
  auto a2 = store_->lease_commands("a2", at(10), at(310), 10);
  ASSERT_TRUE(a2.ok());
  EXPECT_EQ(ids(*a2), (std::vector<std::string>{"c1"}));
  auto a3 = store_->lease_commands("a3", at(11), at(311), 10);
  ASSERT_TRUE(a3.ok());
  ASSERT_EQ(a3->size(), 1u);
  EXPECT_EQ((*a3)[0].id, "c2");
  EXPECT_EQ((*a3)[0].delivery_count, 1);
}

TEST_P(StoreTest, LeaseForAgentWithoutCommandsReturnsEmpty) {
  auto none = store_->lease_commands("nobody", at(10), at(310), 10);
  ASSERT_TRUE(none.ok()) << none.status().to_string();
  EXPECT_TRUE(none->empty());
}

// ---- job events

TEST_P(StoreTest, RecordJobEventAppendsEventAndAppliesTransition) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  std::string seen_status;
  JobTransition transition = [&](const RestoreJob& current) -> Result<std::string> {
    seen_status = current.status;
    return std::string("in_progress");
  };
  auto r =
      store_->record_job_event(event("j1", "a2", "restore_started", at(5)), transition, at(305));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(seen_status, "pending");
  EXPECT_EQ(r->previous_status, "pending");
  EXPECT_EQ(r->job.status, "in_progress");
  EXPECT_EQ(r->job.updated_at, at(5));
  auto j = store_->get_restore_job("j1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->status, "in_progress");
  EXPECT_EQ(j->updated_at, at(5));
  EXPECT_EQ(j->created_at, at(1));
  auto events = store_->list_job_events("j1");
  ASSERT_TRUE(events.ok()) << events.status().to_string();
  ASSERT_EQ(events->size(), 1u);
  const JobEvent& e = (*events)[0];
  EXPECT_GT(e.id, 0);
  EXPECT_EQ(e.job_id, "j1");
  EXPECT_EQ(e.agent_id, "a2");
  EXPECT_EQ(e.event_type, "restore_started");
  EXPECT_EQ(e.message, "message for restore_started");
  EXPECT_EQ(e.metadata_json, R"({"k":"v"})");
  EXPECT_EQ(e.timestamp, at(5));
}

TEST_P(StoreTest, RestoreJobWithEventsReadsBothInEventOrder) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  JobTransition keep = [](const RestoreJob&) -> Result<std::string> {
    return std::string("in_progress");
  };
  ASSERT_TRUE(
      store_->record_job_event(event("j1", "a2", "restore_started", at(5)), keep, at(305)).ok());
  ASSERT_TRUE(
      store_->record_job_event(event("j1", "a2", "restore_in_progress", at(6)), keep, at(306))
          .ok());
  auto both = store_->get_restore_job_with_events("j1");
  ASSERT_TRUE(both.ok()) << both.status().to_string();
  EXPECT_EQ(both->first.id, "j1");
  EXPECT_EQ(both->first.status, "in_progress");
  ASSERT_EQ(both->second.size(), 2u);
  EXPECT_EQ(both->second[0].event_type, "restore_started");
  EXPECT_EQ(both->second[1].event_type, "restore_in_progress");
  EXPECT_EQ(store_->get_restore_job_with_events("nope").status().code(), Code::kNotFound);
}

TEST_P(StoreTest, HasLeasableCommandsMatchesWhatALeaseWouldFind) {
  add_snapshot("s1", "a1", at(0));
  EXPECT_FALSE(*store_->has_leasable_commands("a2", at(10)));
  add_job("j1", "c1", "s1", "a2", at(1));
  EXPECT_TRUE(*store_->has_leasable_commands("a2", at(10)));
  EXPECT_FALSE(*store_->has_leasable_commands("a3", at(10)));
  ASSERT_EQ(store_->lease_commands("a2", at(10), at(310), 10)->size(), 1u);
  EXPECT_FALSE(*store_->has_leasable_commands("a2", at(309)));  // leased
  EXPECT_TRUE(*store_->has_leasable_commands("a2", at(310)));   // the lease ran out
}

TEST_P(StoreTest, TransitionErrorAbortsTheWholeEvent) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  ASSERT_EQ(store_->lease_commands("a2", at(2), at(302), 10)->size(), 1u);
  JobTransition refuse = [](const RestoreJob&) -> Result<std::string> {
    return PermissionDenied("job j1 does not target agent a9");
  };
  auto r = store_->record_job_event(event("j1", "a9", "restore_started", at(5)), refuse, at(900));
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  auto events = store_->list_job_events("j1");
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
  auto j = store_->get_restore_job("j1");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->status, "pending");
  EXPECT_EQ(j->updated_at, at(1));
  // The lease was not extended either: it still ends at 302.
  auto again = store_->lease_commands("a2", at(302), at(602), 10);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 1u);
}

// Two stores on one database (two replicas): what one store remembers of a
// job it wrote (PostgreSQL keeps a hint to save a read) must never decide an
// event the other store has made stale.
TEST_P(StoreTest, AJobMovedByAnotherStoreIsDecidedAsItIsNow) {
  if (in_memory()) GTEST_SKIP() << "one connection only";
  auto other = open_second_store();
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  ASSERT_TRUE(store_
                  ->record_job_event(event("j1", "a2", "restore_started", at(5)),
                                     to_status("in_progress"), at(305))
                  .ok());
  ASSERT_TRUE(store_
                  ->record_job_event(event("j1", "a2", "restore_in_progress", at(6)),
                                     to_status("in_progress"), at(306))
                  .ok());
  // The other replica finishes the job.
  ASSERT_TRUE(other
                  ->record_job_event(event("j1", "a2", "restore_completed", at(7)),
                                     to_status("completed"), at(307))
                  .ok());
  // This store's next event sees the job completed: the refusal comes from
  // the job as it is, and nothing is written.
  std::vector<std::string> seen;
  JobTransition refuse_finished = [&](const RestoreJob& current) -> Result<std::string> {
    seen.push_back(current.status);
    if (current.status == "completed") return Conflict("job j1 is completed");
    return std::string("in_progress");
  };
  auto r = store_->record_job_event(event("j1", "a2", "restore_in_progress", at(8)),
                                    refuse_finished, at(308));
  EXPECT_EQ(r.status().code(), Code::kConflict);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "completed");
  EXPECT_EQ(store_->get_restore_job("j1")->status, "completed");
  EXPECT_EQ(store_->list_job_events("j1")->size(), 3u);

  // And a job the other store moved without finishing it: the event is
  // recorded with the status it really had.
  add_job("j2", "c2", "s1", "a2", at(10));
  ASSERT_TRUE(store_
                  ->record_job_event(event("j2", "a2", "restore_started", at(11)),
                                     to_status("in_progress"), at(311))
                  .ok());
  JobTransition to_failed = [](const RestoreJob&) -> Result<std::string> {
    return std::string("failed");
  };
  JobTransition keep = [](const RestoreJob& current) -> Result<std::string> {
    return current.status;
  };
  ASSERT_TRUE(other->record_job_event(event("j2", "a2", "note", at(12)), keep, at(312)).ok());
  ASSERT_TRUE(other->record_job_event(event("j2", "a2", "error", at(13)), to_failed, at(313)).ok());
  auto late = store_->record_job_event(event("j2", "a2", "note", at(14)), keep, at(314));
  ASSERT_TRUE(late.ok()) << late.status().to_string();
  EXPECT_EQ(late->previous_status, "failed");
  EXPECT_EQ(late->job.status, "failed");
  EXPECT_EQ(store_->get_restore_job("j2")->status, "failed");
}

TEST_P(StoreTest, RecordJobEventForUnknownJobIsNotFound) {
  auto r = store_->record_job_event(event("nope", "a2", "restore_started", at(5)),
                                    to_status("in_progress"), at(305));
  EXPECT_EQ(r.status().code(), Code::kNotFound);
}

TEST_P(StoreTest, CompletedJobCompletesItsCommand) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  ASSERT_EQ(store_->lease_commands("a2", at(2), at(302), 10)->size(), 1u);
  auto r = store_->record_job_event(event("j1", "a2", "restore_completed", at(5)),
                                    to_status("completed"), at(305));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->job.status, "completed");
  auto later = store_->lease_commands("a2", at(10000), at(10300), 10);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->empty());
}

TEST_P(StoreTest, FailedJobFinishesItsUndeliveredCommand) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  auto r =
      store_->record_job_event(event("j1", "a2", "error", at(5)), to_status("failed"), at(305));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  auto later = store_->lease_commands("a2", at(6), at(306), 10);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->empty());
}

TEST_P(StoreTest, OngoingEventExtendsTheLease) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  ASSERT_EQ(store_->lease_commands("a2", at(0), at(300), 10)->size(), 1u);
  ASSERT_TRUE(store_
                  ->record_job_event(event("j1", "a2", "restore_in_progress", at(200)),
                                     to_status("in_progress"), at(500))
                  .ok());
  auto before = store_->lease_commands("a2", at(400), at(700), 10);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());
  auto after = store_->lease_commands("a2", at(500), at(800), 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].delivery_count, 2);
}

TEST_P(StoreTest, JobEventsListInArrivalOrderWithIncreasingIds) {
  add_snapshot("s1", "a1", at(0));
  add_job("j1", "c1", "s1", "a2", at(1));
  add_job("j2", "c2", "s1", "a2", at(1));
  const char* types[] = {"restore_started", "restore_in_progress", "restore_in_progress",
                         "restore_completed"};
  const char* statuses[] = {"in_progress", "in_progress", "in_progress", "completed"};
  for (int i = 0; i < 4; ++i) {
    // Timestamps go backwards on purpose: arrival order rules, not time.
    ASSERT_TRUE(store_
                    ->record_job_event(event("j1", "a2", types[i], at(100 - i)),
                                       to_status(statuses[i]), at(400))
                    .ok());
    ASSERT_TRUE(store_
                    ->record_job_event(event("j2", "a2", "restore_in_progress", at(50)),
                                       to_status("in_progress"), at(400))
                    .ok());
  }
  auto events = store_->list_job_events("j1");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ((*events)[i].event_type, types[i]);
    if (i > 0) {
      EXPECT_GT((*events)[i].id, (*events)[i - 1].id);
    }
  }
  auto none = store_->list_job_events("unknown");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace ff::store::testing
