#include "wal/format.h"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

#include "common/hex.h"

namespace ff::wal {

namespace {

using nlohmann::json;

constexpr std::string_view kHashMemberPrefix = ",\"hash\":\"";
constexpr size_t kHashMemberBytes = kHashMemberPrefix.size() + kHashHexLength + 2;  // + "}

// A member the format owns, in canonical key order. A slot member is written
// later by seal_record and starts the next segment.
struct OwnMember {
  std::string_view key;
  int slot;  // -1: written here with `value`
  std::string value;
};

void append_member(std::string* out, bool* first, std::string_view key_json,
                   std::string_view value_json) {
  if (!*first) out->push_back(',');
  *first = false;
  out->append(key_json);
  out->push_back(':');
  out->append(value_json);
}

// The key as JSON, with invalid UTF-8 replaced: only for error messages.
std::string printable_key(const std::string& key) {
  return json(key).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

bool is_reserved_field(std::string_view key) {
  return key == field::kVersion || key == field::kSeq || key == field::kTimestamp ||
         key == field::kEvent || key == field::kPrevHash || key == field::kHash;
}

Result<PreparedRecord> prepare_record(std::string_view event, const nlohmann::json& fields) {
  // null is accepted as no fields: `append("x", {})` passes a null json.
  if (!fields.is_object() && !fields.is_null()) {
    return Internal("WAL event fields must be a JSON object");
  }
  if (event.empty()) return Internal("WAL event name is empty");
  PreparedRecord out;
  out.event = std::string(event);

  std::string event_json;
  try {
    event_json = json(out.event).dump();
  } catch (const json::exception&) {
    return InvalidArgument("WAL event name is not valid UTF-8");
  }
  // Sorted as std::string compares, which is how nlohmann::json orders object keys,
  // so merging them with the (sorted) fields gives the canonical order.
  std::array<OwnMember, 5> own = {{
      {field::kEvent, -1, std::move(event_json)},
      {field::kPrevHash, 0, {}},
      {field::kSeq, 1, {}},
      {field::kTimestamp, 2, {}},
      {field::kVersion, -1, std::to_string(kFormatVersion)},
  }};

  std::string* segment = &out.segments[0];
  segment->push_back('{');
  bool first = true;
  size_t next_own = 0;
  auto it = fields.begin();
  while (it != fields.end() || next_own < own.size()) {
    if (it != fields.end() && is_reserved_field(it.key())) {
      return Internal("WAL event field " + printable_key(it.key()) + " is reserved");
    }
    if (next_own < own.size() && (it == fields.end() || own[next_own].key < it.key())) {
      const OwnMember& m = own[next_own++];
      if (m.slot >= 0) {
        segment = &out.segments[m.slot + 1];
      } else {
        std::string key_json = "\"" + std::string(m.key) + "\"";
        append_member(segment, &first, key_json, m.value);
      }
      continue;
    }
    try {
      append_member(segment, &first, json(it.key()).dump(), it.value().dump());
    } catch (const json::exception&) {
      return InvalidArgument("WAL event field " + printable_key(it.key()) + " is not valid UTF-8");
    }
    ++it;
  }

  auto agent = fields.find(field::kAgentId);
  if (agent != fields.end() && agent->is_string()) out.agent_id = agent->get<std::string>();
  return out;
}

size_t max_sealed_bytes(const PreparedRecord& prepared) {
  constexpr size_t kLateMembers = std::string_view(",\"prev_hash\":\"\"").size() + kHashHexLength +
                                  std::string_view(",\"seq\":").size() + 20 +
                                  std::string_view(",\"timestamp\":\"\"").size() + 32;
  size_t n = kHashMemberBytes + kLateMembers;
  for (const std::string& s : prepared.segments) n += s.size();
  return n;
}

SealedRecord seal_record(const PreparedRecord& prepared, std::string_view prev_hash, uint64_t seq,
                         std::string_view timestamp) {
  char seq_text[24];
  auto [seq_end, ec] = std::to_chars(seq_text, seq_text + sizeof seq_text, seq);
  (void)ec;  // cannot fail: 20 digits fit

  size_t size = kHashMemberBytes + prev_hash.size() + timestamp.size() + 48;
  for (const std::string& s : prepared.segments) size += s.size();
  SealedRecord out;
  std::string& line = out.line;
  line.reserve(size);
  line.append(prepared.segments[0]);
  line.append(",\"prev_hash\":\"");
  line.append(prev_hash);
  line.push_back('"');
  line.append(prepared.segments[1]);
  line.append(",\"seq\":");
  line.append(seq_text, seq_end);
  line.append(prepared.segments[2]);
  line.append(",\"timestamp\":\"");
  line.append(timestamp);
  line.push_back('"');
  line.append(prepared.segments[3]);
  // `line` is now the canonical bytes without their final '}'.
  out.hash = chain_hash(prev_hash, line);
  line.append(kHashMemberPrefix);
  line.append(out.hash);
  line.append("\"}");
  return out;
}

std::optional<LineParts> split_stored_line(std::string_view line) {
  if (line.size() < kHashMemberBytes + 1 || line.front() != '{') return std::nullopt;
  size_t start = line.size() - kHashMemberBytes;
  if (line.substr(start, kHashMemberPrefix.size()) != kHashMemberPrefix) return std::nullopt;
  std::string_view hash = line.substr(start + kHashMemberPrefix.size(), kHashHexLength);
  if (!is_lower_hex(hash, kHashHexLength) || line.substr(line.size() - 2) != "\"}") {
    return std::nullopt;
  }
  return LineParts{line.substr(0, start), hash};
}

std::string chain_hash(std::string_view prev_hash, std::string_view body) {
  Sha256 h;
  h.update(prev_hash);
  h.update(body);
  h.update("}");
  return h.finish_hex();
}

}  // namespace ff::wal
