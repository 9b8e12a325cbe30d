// Version 4: the repository index (issue 12): packs, the blobs inside them,
// backup sessions holding packs, and the packs each snapshot references.
//
// Snapshots gain their format ('tar' for every existing row) and the
// repository figures; existing rows store their object size as stored_bytes.
//
// A pack row's id is the SHA-256 of its bytes and is unique across
// namespaces: the object key ("packs/<id>") is global, so two namespaces must
// never own one object (GC of one would delete the other's bytes).
// snapshot_packs.pack_id has no ON DELETE CASCADE on purpose: deleting a pack
// a snapshot still references fails, whatever the caller believed.
// session_packs rows are holds: while their session is open and unexpired, GC
// keeps the pack. Booleans are BOOLEAN on PostgreSQL and 0/1 on SQLite.
#include "store/migrations/versions.h"

namespace ff::store::migrations {

const Migration kV004Repository = {
    4,
    "repository",
    R"sql(
ALTER TABLE snapshots ADD COLUMN format TEXT NOT NULL DEFAULT 'tar';
ALTER TABLE snapshots ADD COLUMN repository TEXT;
ALTER TABLE snapshots ADD COLUMN encrypted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE snapshots ADD COLUMN root TEXT;
ALTER TABLE snapshots ADD COLUMN logical_size INTEGER;
ALTER TABLE snapshots ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE snapshots ADD COLUMN file_count INTEGER;
UPDATE snapshots SET stored_bytes = size;

CREATE TABLE packs (
  id TEXT PRIMARY KEY NOT NULL,
  repository TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  size INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  uploaded_at INTEGER
);
CREATE INDEX packs_status_created ON packs (status, created_at);
CREATE INDEX packs_agent ON packs (agent_id);

CREATE TABLE pack_blobs (
  pack_id TEXT NOT NULL REFERENCES packs (id) ON DELETE CASCADE,
  blob_id TEXT NOT NULL,
  type TEXT NOT NULL,
  "offset" INTEGER NOT NULL,
  length INTEGER NOT NULL,
  PRIMARY KEY (pack_id, blob_id)
);
CREATE INDEX pack_blobs_blob ON pack_blobs (blob_id);

CREATE TABLE repo_sessions (
  id TEXT PRIMARY KEY NOT NULL,
  agent_id TEXT NOT NULL,
  repository TEXT NOT NULL,
  encrypted BOOLEAN NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  closed_at INTEGER
);

CREATE TABLE session_packs (
  session_id TEXT NOT NULL REFERENCES repo_sessions (id) ON DELETE CASCADE,
  pack_id TEXT NOT NULL REFERENCES packs (id) ON DELETE CASCADE,
  announced BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (session_id, pack_id)
);
CREATE INDEX session_packs_pack ON session_packs (pack_id);

CREATE TABLE snapshot_packs (
  snapshot_id TEXT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
  pack_id TEXT NOT NULL REFERENCES packs (id),
  PRIMARY KEY (snapshot_id, pack_id)
);
CREATE INDEX snapshot_packs_pack ON snapshot_packs (pack_id);
)sql",
    R"sql(
ALTER TABLE snapshots ADD COLUMN format TEXT NOT NULL DEFAULT 'tar';
ALTER TABLE snapshots ADD COLUMN repository TEXT;
ALTER TABLE snapshots ADD COLUMN encrypted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE snapshots ADD COLUMN root TEXT;
ALTER TABLE snapshots ADD COLUMN logical_size BIGINT;
ALTER TABLE snapshots ADD COLUMN stored_bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE snapshots ADD COLUMN file_count BIGINT;
UPDATE snapshots SET stored_bytes = size;

CREATE TABLE packs (
  id TEXT PRIMARY KEY,
  repository TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  uploaded_at BIGINT
);
CREATE INDEX packs_status_created ON packs (status, created_at);
CREATE INDEX packs_agent ON packs (agent_id);

CREATE TABLE pack_blobs (
  pack_id TEXT NOT NULL REFERENCES packs (id) ON DELETE CASCADE,
  blob_id TEXT NOT NULL,
  type TEXT NOT NULL,
  "offset" BIGINT NOT NULL,
  length BIGINT NOT NULL,
  PRIMARY KEY (pack_id, blob_id)
);
CREATE INDEX pack_blobs_blob ON pack_blobs (blob_id);

CREATE TABLE repo_sessions (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  repository TEXT NOT NULL,
  encrypted BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  closed_at BIGINT
);

CREATE TABLE session_packs (
  session_id TEXT NOT NULL REFERENCES repo_sessions (id) ON DELETE CASCADE,
  pack_id TEXT NOT NULL REFERENCES packs (id) ON DELETE CASCADE,
  announced BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (session_id, pack_id)
);
CREATE INDEX session_packs_pack ON session_packs (pack_id);

CREATE TABLE snapshot_packs (
  snapshot_id TEXT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
  pack_id TEXT NOT NULL REFERENCES packs (id),
  PRIMARY KEY (snapshot_id, pack_id)
);
CREATE INDEX snapshot_packs_pack ON snapshot_packs (pack_id);
)sql",
};

}  // namespace ff::store::migrations
