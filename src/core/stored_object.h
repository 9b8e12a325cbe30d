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

// "snapshots/<id>" or "packs/<id>".
inline std::string object_key(ObjectKind kind, const std::string& id) {
  return (kind == ObjectKind::kPack ? "packs/" : "snapshots/") + id;
}

struct StoredObject {
  ObjectKind kind = ObjectKind::kSnapshot;
  std::string id;
  std::string agent_id;
  std::string checksum;  // the expected SHA-256 hex
  int64_t size = 0;      // the expected size
  std::string status;    // pending | available | corrupt (| deleting for packs)

  std::string key() const { return object_key(kind, id); }
  // "snapshot" or "pack": messages and audit names ("<noun>_uploaded", "<noun>_id").
  std::string noun() const { return kind == ObjectKind::kPack ? "pack" : "snapshot"; }
};

StoredObject stored_object(const store::Snapshot& s);
// A pack's checksum is its id: the SHA-256 of its bytes.
StoredObject stored_object(const store::Pack& p);

}  // namespace ff::core
