// The WAL record format: the one definition shared by writer, reader and verifier.
// docs/wal-format.md is the prose spec; keep the two in step.
//
// A WAL file is a sequence of lines, each one JSON object ending in '\n' (the
// newline is the commit mark). A record is serialized once, without "hash", as
// compact JSON with keys in byte order (the canonical bytes); its hash is
// hex(SHA-256(prev_hash + canonical bytes)) and the stored line is the canonical
// bytes with `,"hash":"<hex>"` inserted before the final '}'. Readers get the
// canonical bytes back by cutting that last member out of the line, never by
// re-serializing, so numbers and strings keep whatever spelling they were written with.
//
// What the format does not guarantee: a chain cannot reveal a tail rewritten whole
// (publish the head elsewhere for that), and nothing in it is secret or encrypted.
//
// Thread-safety: everything here is a value or a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ff::wal {

inline constexpr int kFormatVersion = 1;
// Upper bound of one stored line, its '\n' included.
inline constexpr size_t kMaxRecordBytes = 64 * 1024;
inline constexpr size_t kHashHexLength = 64;
// prev_hash of the first record.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Member names the format owns; event fields may not use them.
namespace field {
inline constexpr std::string_view kVersion = "v";
inline constexpr std::string_view kSeq = "seq";
inline constexpr std::string_view kTimestamp = "timestamp";
inline constexpr std::string_view kEvent = "event";
inline constexpr std::string_view kPrevHash = "prev_hash";
inline constexpr std::string_view kHash = "hash";
// Not reserved: an ordinary event field that scopes live streams to one agent.
inline constexpr std::string_view kAgentId = "agent_id";
}  // namespace field

bool is_reserved_field(std::string_view key);

// One durable record as stored. Shared immutably between the writer's caller,
// the subscriber and any number of stream sessions.
struct Record {
  uint64_t seq = 0;
  std::string event;     // e.g. "snapshot_created"
  std::string agent_id;  // fields["agent_id"] when it is a string, else empty
  std::string line;      // the exact stored line, without its trailing '\n'
};
using RecordPtr = std::shared_ptr<const Record>;

// The last record of a log: seq 0 and kGenesisHash for an empty one.
struct Head {
  uint64_t seq = 0;
  std::string hash = std::string(kGenesisHash);
};

// An event serialized into canonical bytes except for the members only known
// when its turn in the chain comes (prev_hash, seq, timestamp). Building it is the
// expensive part, so callers do it before queueing.
struct PreparedRecord {
  std::string event;
  std::string agent_id;
  // Canonical bytes around the three late members, which always sort in this
  // order: [0] "{" .. , prev_hash, [1], seq, [2], timestamp, [3] .. (no final '}').
  std::string segments[4];
};

// Serializes `event` and `fields` (must be a JSON object, or null for none, without
// reserved keys: else kInternal, since records come from typed event structs). Strings that are
// not valid UTF-8 -> kInvalidArgument.
Result<PreparedRecord> prepare_record(std::string_view event, const nlohmann::json& fields);

// The longest stored line (without '\n') `prepared` can seal into, whatever its
// seq (up to 20 digits) and timestamp (RFC 3339 with milliseconds, up to 32
// bytes): callers size-check a record before committing what it describes.
size_t max_sealed_bytes(const PreparedRecord& prepared);

// A finished record: its stored line (no '\n') and its hash.
struct SealedRecord {
  std::string line;
  std::string hash;
};
// Fills in the late members, hashes, and inserts the hash member.
SealedRecord seal_record(const PreparedRecord& prepared, std::string_view prev_hash, uint64_t seq,
                         std::string_view timestamp);

// A stored line split where the hash member starts.
struct LineParts {
  std::string_view body;  // canonical bytes without their final '}'
  std::string_view hash;  // the hash member's value (64 lowercase hex)
};
// nullopt unless the line ends in `,"hash":"<64 lowercase hex>"}`.
std::optional<LineParts> split_stored_line(std::string_view line);

// hex(SHA-256(prev_hash + body + "}")): the chain hash of a record whose canonical
// bytes are `body` followed by '}'.
std::string chain_hash(std::string_view prev_hash, std::string_view body);

}  // namespace ff::wal
