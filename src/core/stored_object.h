// StoredObject: what an object upload is checked against — a tar snapshot's
// object or a pack. One upload path serves both (core/uploads.cc,
// api/object_sink.cc); the kind picks the row, the object key and the audit
// record's names.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>

#include "store/store.h"

namespace ff::core {

enum class ObjectKind { kSnapshot, kPack };

// Where objects live in the object store: a snapshot's at
// `snapshot_prefix` + id (S3_KEY_PREFIX; "snapshots/" by default, "" for a
// seed bucket), a pack's at "packs/<id>".
struct ObjectKeys {
  std::string snapshot_prefix = "snapshots/";

  std::string snapshot(const std::string& id) const { return snapshot_prefix + id; }
  static std::string pack(const std::string& id) { return "packs/" + id; }
};

struct StoredObject {
  ObjectKind kind = ObjectKind::kSnapshot;
  std::string id;
  std::string agent_id;
  std::string checksum;  // the expected SHA-256 hex
  int64_t size = 0;      // the expected size
  std::string status;    // pending | available | corrupt (| deleting for packs)

  std::string key(const ObjectKeys& keys) const {
    return kind == ObjectKind::kPack ? keys.pack(id) : keys.snapshot(id);
  }
  // "snapshot" or "pack": messages and audit names ("<noun>_uploaded", "<noun>_id").
  std::string noun() const { return kind == ObjectKind::kPack ? "pack" : "snapshot"; }
};

StoredObject stored_object(const store::Snapshot& s);
// A pack's checksum is its id: the SHA-256 of its bytes.
StoredObject stored_object(const store::Pack& p);

}  // namespace ff::core
