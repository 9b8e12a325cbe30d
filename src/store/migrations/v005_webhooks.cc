// Version 5: alert webhooks (docs/alerts.md).
//
// `secret` is kept as given: deliveries are signed with it (HMAC-SHA-256), so
// unlike API keys it cannot be stored as a digest. It is never returned by the
// API, written to the WAL or logged. `events` is a JSON array of event names.
// The last_* columns describe the most recent delivery attempt.
#include "store/migrations/versions.h"

namespace ff::store::migrations {

const Migration kV005Webhooks = {
    5,
    "webhooks",
    R"sql(
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY NOT NULL,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  last_delivery_at INTEGER,
  deliveries INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0
);
)sql",
    R"sql(
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  last_delivery_at BIGINT,
  deliveries BIGINT NOT NULL DEFAULT 0,
  failures BIGINT NOT NULL DEFAULT 0
);
)sql",
};

}  // namespace ff::store::migrations
