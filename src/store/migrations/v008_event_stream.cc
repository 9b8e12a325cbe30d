// Version 8: the global event stream of replicas sharing one PostgreSQL
// database (docs/architecture.md "Replicas").
//
// Every replica ships each durable WAL record here: event_stream gives it a
// global seq, one order for all replicas, that WebSockets on any replica
// stream and resume from. event_stream_head holds the last seq handed out; a
// batch takes its row lock to number itself, so batches commit in seq order
// and a reader sees a gap-free prefix. (replica, wal_seq) is unique, so a
// replica re-shipping after a crash cannot add a record twice.
//
// The embedded database (one orchestrator) creates the tables too, keeping
// one schema for both backends, but streams from its WAL.
#include "store/migrations/versions.h"

namespace ff::store::migrations {

const Migration kV008EventStream = {
    8,
    "event_stream",
    R"sql(
CREATE TABLE event_stream (
  seq INTEGER PRIMARY KEY,
  replica TEXT NOT NULL,
  wal_seq INTEGER NOT NULL,
  line TEXT NOT NULL
);
CREATE UNIQUE INDEX event_stream_replica_wal ON event_stream (replica, wal_seq);
CREATE TABLE event_stream_head (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
INSERT INTO event_stream_head (id, seq) VALUES (1, 0);
)sql",
    R"sql(
CREATE TABLE event_stream (
  seq BIGINT PRIMARY KEY,
  replica TEXT NOT NULL,
  wal_seq BIGINT NOT NULL,
  line TEXT NOT NULL
);
CREATE UNIQUE INDEX event_stream_replica_wal ON event_stream (replica, wal_seq);
CREATE TABLE event_stream_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL);
INSERT INTO event_stream_head (id, seq) VALUES (1, 0);
)sql",
};

}  // namespace ff::store::migrations
