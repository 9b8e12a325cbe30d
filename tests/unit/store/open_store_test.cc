// open_store and the URL parsing of both backends.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace ff::store {
namespace {

TEST(SqliteUrl, ThreeSlashesNameARelativePath) {
  auto o = sqlite::options_from_url("sqlite:///data/orchestrator.db");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->path, "data/orchestrator.db");
}

TEST(SqliteUrl, FourSlashesNameAnAbsolutePath) {
  auto o = sqlite::options_from_url("sqlite:////var/lib/ff/db.sqlite");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->path, "/var/lib/ff/db.sqlite");
}

TEST(SqliteUrl, MemoryFormsNameAnInMemoryDatabase) {
  EXPECT_EQ(sqlite::options_from_url("sqlite://:memory:")->path, ":memory:");
  EXPECT_EQ(sqlite::options_from_url("sqlite:///:memory:")->path, ":memory:");
}

TEST(SqliteUrl, MissingPathIsInvalidArgument) {
  EXPECT_EQ(sqlite::options_from_url("sqlite://").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(sqlite::options_from_url("sqlite:///").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(sqlite::options_from_url("sqlite://host/x.db").status().code(), Code::kInvalidArgument);
}

TEST(PostgresUrl, OwnParametersAreRemovedAndConnectTimeoutAdded) {
  auto o = postgres::options_from_url(
      "postgresql://u:p@h:5432/db?schema=ff_one&sslmode=disable&pool_size=3");
  ASSERT_TRUE(o.ok()) << o.status().to_string();
  EXPECT_EQ(o->schema, "ff_one");
  EXPECT_EQ(o->pool_size, 3);
  EXPECT_EQ(o->conninfo, "postgresql://u:p@h:5432/db?sslmode=disable&connect_timeout=10");
}

TEST(PostgresUrl, GivenConnectTimeoutIsKept) {
  auto o = postgres::options_from_url("postgres://h/db?connect_timeout=3");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->conninfo, "postgres://h/db?connect_timeout=3");
  EXPECT_EQ(o->pool_size, 8);
  EXPECT_EQ(o->schema, "");
}

TEST(PostgresUrl, SchemaMustBeAPlainIdentifier) {
  auto o = postgres::options_from_url("postgresql://h/db?schema=a%22%3B%20drop");
  EXPECT_EQ(o.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(o.status().message().find("drop"), std::string::npos);
}

TEST(PostgresUrl, PoolSizeOutOfRangeIsInvalidArgument) {
  EXPECT_EQ(postgres::options_from_url("postgresql://h/db?pool_size=0").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(postgres::options_from_url("postgresql://h/db?pool_size=x").status().code(),
            Code::kInvalidArgument);
}

TEST(OpenStore, UnknownSchemeIsInvalidArgument) {
  auto s = open_store("mysql://u:secret@h/db");
  EXPECT_EQ(s.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(s.status().message().find("secret"), std::string::npos);
}

TEST(OpenStore, UnreachablePostgresIsUnavailableWithoutPassword) {
  // Port 1 on loopback refuses at once.
  auto s = open_store("postgresql://ff:hunter2secret@127.0.0.1:1/fortfail?connect_timeout=2");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnavailable);
  EXPECT_EQ(s.status().message().find("hunter2secret"), std::string::npos);
  EXPECT_EQ(s.status().message().find("127.0.0.1"), std::string::npos);
}

TEST(OpenStore, SqliteInMissingDirectoryIsUnavailable) {
  auto s = open_store("sqlite:////nonexistent-ff-dir/sub/db.sqlite");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kUnavailable);
  EXPECT_EQ(s.status().message().find("nonexistent"), std::string::npos);
}

TEST(OpenStore, SqliteMemoryOpensAndMigrates) {
  auto s = open_store("sqlite://:memory:");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ((*s)->backend_name(), "sqlite");
  EXPECT_TRUE((*s)->migrate().ok());
}

}  // namespace
}  // namespace ff::store

namespace ff::store {
namespace {

// The orchestrator acknowledges a change once the database's -wal file is
// synced too (wal::Writer::set_companion_sync): that sync must work on a real
// file and cover commits made before it.
TEST(SqliteSyncCommits, SyncsTheWalFileOfAFileDatabase) {
  char dir_template[] = "/tmp/ff-sync-commits-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  {
    auto store = open_store("sqlite:///" + dir + "/orchestrator.db");
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    ASSERT_TRUE((*store)->migrate().ok());
    ASSERT_TRUE((*store)->touch_agent("a1", SystemTime{} + std::chrono::seconds(5)).ok());
    EXPECT_TRUE((*store)->sync_commits().ok());
    EXPECT_TRUE(std::filesystem::exists(dir + "/orchestrator.db-wal"));
  }
  auto memory = open_store("sqlite://:memory:");
  ASSERT_TRUE(memory.ok());
  EXPECT_TRUE((*memory)->sync_commits().ok());  // nothing to sync: ok
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ff::store
