// Column lists and row decoders shared by both backends. A decoder reads the
// columns in the order of the matching FF_STORE_*_COLUMNS list from any row
// type offering text(col), int64(col) and is_null(col).
//
// The lists are macros so they concatenate with SQL literals at compile time.
//
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/detail/values.h"
#include "store/store.h"

// Inserted columns; the verification stamps (migration v007) are only ever
// updated, so they are read but not inserted.
#define FF_STORE_SNAPSHOT_INSERT_COLUMNS                                              \
  "id, agent_id, checksum, size, metadata, status, created_at, uploaded_at, format, " \
  "repository, encrypted, root, logical_size, stored_bytes, file_count"
#define FF_STORE_SNAPSHOT_COLUMNS \
  FF_STORE_SNAPSHOT_INSERT_COLUMNS ", verified_at, proven_restorable_at"
#define FF_STORE_RESTORE_JOB_COLUMNS                                                      \
  "id, snapshot_id, target_agent_id, target_path, status, created_at, updated_at, kind, " \
  "params"
#define FF_STORE_BACKUP_JOB_COLUMNS \
  "id, agent_id, paths, status, snapshot_id, created_at, updated_at"
#define FF_STORE_COMMAND_COLUMNS                                                  \
  "id, agent_id, job_id, command_type, payload, status, created_at, updated_at, " \
  "lease_expires_at, delivery_count"
#define FF_STORE_JOB_EVENT_COLUMNS "id, job_id, agent_id, event_type, message, metadata, timestamp"
#define FF_STORE_API_KEY_COLUMNS "id, name, role, key_hash, created_at, revoked_at"
#define FF_STORE_AGENT_CREDENTIAL_COLUMNS \
  "agent_id, secret_hash, enrollment_hash, enrollment_expires_at, enrolled_at, revoked_at"
#define FF_STORE_PACK_COLUMNS "id, repository, agent_id, size, status, created_at, uploaded_at"
#define FF_STORE_REPO_SESSION_COLUMNS \
  "id, agent_id, repository, encrypted, created_at, expires_at, closed_at"
// Agent columns come from a join with snapshots; see the backends' agent queries.
#define FF_STORE_AGENT_COLUMNS \
  "a.id, a.first_seen, a.last_seen, COUNT(s.id), MAX(s.created_at), a.last_proven_restorable_at"

namespace ff::store::detail {

// How many columns one of the FF_STORE_*_COLUMNS lists names.
constexpr int column_count(std::string_view columns) {
  return 1 + static_cast<int>(std::count(columns.begin(), columns.end(), ','));
}

template <typename Row>
std::optional<SystemTime> optional_time(const Row& r, int col) {
  if (r.is_null(col)) return std::nullopt;
  return from_unix_ms(r.int64(col));
}

// SQLite stores booleans as 0/1, PostgreSQL answers t/f in text format.
inline bool bool_from_text(std::string_view v) { return v == "1" || v == "t" || v == "true"; }

template <typename Row>
std::optional<int64_t> optional_int64(const Row& r, int col) {
  if (r.is_null(col)) return std::nullopt;
  return r.int64(col);
}

template <typename Row>
std::optional<std::string> optional_text(const Row& r, int col) {
  if (r.is_null(col)) return std::nullopt;
  return r.text(col);
}

template <typename Row>
Snapshot snapshot_from(const Row& r) {
  return Snapshot{r.text(0),
                  r.text(1),
                  r.text(2),
                  r.int64(3),
                  r.text(4),
                  r.text(5),
                  from_unix_ms(r.int64(6)),
                  optional_time(r, 7),
                  r.text(8),
                  optional_text(r, 9),
                  bool_from_text(r.text(10)),
                  optional_text(r, 11),
                  optional_int64(r, 12),
                  r.int64(13),
                  optional_int64(r, 14),
                  optional_time(r, 15),
                  optional_time(r, 16)};
}

template <typename Row>
RestoreJob restore_job_from(const Row& r) {
  return RestoreJob{r.text(0),
                    r.text(1),
                    r.text(2),
                    r.text(3),
                    r.text(4),
                    from_unix_ms(r.int64(5)),
                    from_unix_ms(r.int64(6)),
                    r.text(7),
                    r.text(8)};
}

template <typename Row>
BackupJob backup_job_from(const Row& r) {
  std::optional<std::string> snapshot_id;
  if (!r.is_null(4)) snapshot_id = r.text(4);
  return BackupJob{r.text(0),
                   r.text(1),
                   r.text(2),
                   r.text(3),
                   std::move(snapshot_id),
                   from_unix_ms(r.int64(5)),
                   from_unix_ms(r.int64(6))};
}

template <typename Row>
Command command_from(const Row& r) {
  return Command{r.text(0),
                 r.text(1),
                 r.text(2),
                 r.text(3),
                 r.text(4),
                 r.text(5),
                 from_unix_ms(r.int64(6)),
                 from_unix_ms(r.int64(7)),
                 optional_time(r, 8),
                 r.int64(9)};
}

template <typename Row>
JobEvent job_event_from(const Row& r) {
  return JobEvent{
      r.int64(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), from_unix_ms(r.int64(6))};
}

template <typename Row>
ApiKey api_key_from(const Row& r) {
  return ApiKey{r.text(0),          r.text(1), r.text(2), r.text(3), from_unix_ms(r.int64(4)),
                optional_time(r, 5)};
}

template <typename Row>
AgentCredential agent_credential_from(const Row& r) {
  return AgentCredential{r.text(0),           optional_text(r, 1), optional_text(r, 2),
                         optional_time(r, 3), optional_time(r, 4), optional_time(r, 5)};
}

template <typename Row>
Agent agent_from(const Row& r) {
  return Agent{r.text(0),  from_unix_ms(r.int64(1)), from_unix_ms(r.int64(2)),
               r.int64(3), optional_time(r, 4),      optional_time(r, 5)};
}

template <typename Row>
Pack pack_from(const Row& r) {
  return Pack{r.text(0),          r.text(1), r.text(2),
              r.int64(3),         r.text(4), from_unix_ms(r.int64(5)),
              optional_time(r, 6)};
}

template <typename Row>
RepoSession repo_session_from(const Row& r) {
  return RepoSession{r.text(0),
                     r.text(1),
                     r.text(2),
                     bool_from_text(r.text(3)),
                     from_unix_ms(r.int64(4)),
                     from_unix_ms(r.int64(5)),
                     optional_time(r, 6)};
}

}  // namespace ff::store::detail
