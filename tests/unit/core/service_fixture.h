// A core::Service on real parts that need no I/O: SQLite :memory:, the memory
// object store, a WAL on the memory file system and the simulated clock.
// Tests drive use cases through it as the API would, with an operator's and
// an agent's claims.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/revocations.h"
#include "auth/token.h"
#include "blob/memory/memory_store.h"
#include "common/hex.h"
#include "core/service.h"
#include "store/store.h"
#include "support/mem_file_system.h"
#include "support/simulated_clock.h"
#include "sys/random.h"
#include "wal/writer.h"

namespace ff::testing {

class ServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = sys::Env{&clock_, &fs_, &sys::secure_random()};
    auto store = store::open_store("sqlite://:memory:");
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    store_ = std::move(store).value();
    ASSERT_TRUE(store_->migrate().ok());
    auto wal = wal::Writer::open(env_, "/wal.log");
    ASSERT_TRUE(wal.ok()) << wal.status().to_string();
    wal_ = std::move(wal).value();
    tokens_ = std::make_unique<auth::TokenService>(
        "test-secret-0123456789abcdef", std::chrono::hours(1), clock_, sys::secure_random());
    core::ServiceOptions options;
    options.registration_secret = "reg";
    options.verify_bytes_per_second = 0;
    service_ = std::make_unique<core::Service>(env_, *store_, blobs_, *wal_, *tokens_, revocations_,
                                               notifier_, options);
  }

  auth::Claims operator_claims() const { return auth::Claims{"operator", auth::Role::kOperator}; }
  auth::Claims admin_claims() const { return auth::Claims{"operator", auth::Role::kAdmin}; }
  auth::Claims viewer_claims() const { return auth::Claims{"operator", auth::Role::kViewer}; }
  auth::Claims agent_claims(const std::string& id) const {
    return auth::Claims{id, auth::Role::kAgent};
  }

  // An available tar snapshot of `agent` holding `bytes`, stored in the memory store.
  store::Snapshot add_tar_snapshot(const std::string& id, const std::string& agent,
                                   const std::string& bytes) {
    EXPECT_TRUE(store_->touch_agent(agent, clock_.now()).ok());
    Sha256 h;
    h.update(bytes);
    store::Snapshot s;
    s.id = id;
    s.agent_id = agent;
    s.checksum = h.finish_hex();
    s.size = static_cast<int64_t>(bytes.size());
    s.metadata_json = "{}";
    s.status = "available";
    s.created_at = clock_.now();
    s.uploaded_at = clock_.now();
    s.stored_bytes = s.size;
    EXPECT_TRUE(store_->insert_snapshot(s).ok());
    put_object(service_->object_key(id), bytes);
    clock_.advance(std::chrono::seconds(1));
    return s;
  }

  void put_object(const std::string& key, const std::string& bytes) {
    auto w = blobs_.create(key, bytes.size());
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->write(bytes).ok());
    ASSERT_TRUE((*w)->commit().ok());
  }

  SimulatedClock clock_;
  MemFileSystem fs_;
  sys::Env env_{};
  std::unique_ptr<store::Store> store_;
  blob::MemoryStore blobs_;
  std::unique_ptr<wal::Writer> wal_;
  std::unique_ptr<auth::TokenService> tokens_;
  auth::Revocations revocations_;
  core::Notifier notifier_;
  std::unique_ptr<core::Service> service_;
};

}  // namespace ff::testing
