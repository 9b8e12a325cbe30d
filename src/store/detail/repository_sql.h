// Helpers shared by the repository-index queries (repository_index.cc and
// repository_gc.cc): the few places where SQLite and PostgreSQL spell SQL
// differently, and the live-session check every session call starts with.
//
// Thread-safety: functions of one transaction's SqlTx.
#pragma once

#include <string>
#include <vector>

#include "store/detail/sql_tx.h"
#include "store/store.h"

namespace ff::store::detail {

// A subquery yielding one text column `v` per element of the JSON array of
// strings bound to $`param`.
std::string json_texts(const SqlTx& tx, int param);
// `ids` as a JSON array (bound as one parameter: one statement text whatever
// the count, so prepared-statement caches stay small).
std::string json_array(const std::vector<std::string>& ids);
// " FOR UPDATE" on PostgreSQL (row lock for the rest of the transaction);
// SQLite's single writer needs none.
const char* for_update(const SqlTx& tx);

// The session `id`, locked, when live at `now`: kNotFound when unknown,
// kConflict when closed or expired.
Result<RepoSession> live_session(SqlTx& tx, const std::string& id, SystemTime now);

// Inserts `s` as a new snapshot row; kConflict naming the id when it exists.
Status insert_snapshot_row(SqlTx& tx, const Snapshot& s);

}  // namespace ff::store::detail
