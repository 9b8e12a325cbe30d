// Versioned schema migrations, shared by the SQLite and PostgreSQL backends.
//
// Each version carries its SQL for both dialects as constants compiled into the
// binary. Backends record applied versions in a `schema_migrations` table and
// apply the missing ones in order: SQLite one BEGIN IMMEDIATE transaction per
// version, PostgreSQL all in one transaction under an advisory lock. Either
// way two processes starting together apply each version once. To add a
// version: write vNNN_<name>.cc next to v001_initial.cc, declare it in
// versions.h and append it to the list in migrations.cc. An applied version is
// never edited.
//
// Storage conventions used by every version: times are BIGINT/INTEGER unix
// milliseconds (UTC); JSON documents are TEXT, stored as given.
//
// Thread-safety: immutable data.
#pragma once

#include <span>
#include <string_view>

namespace ff::store::migrations {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sqlite_sql;    // one or more statements
  std::string_view postgres_sql;  // one or more statements
};

// Every known migration, ascending by version, versions 1..N without gaps.
std::span<const Migration> all();

// The newest version this binary knows.
int latest_version();

}  // namespace ff::store::migrations
