// JSON request bodies (src/api/parse): the input is a body as a client sends
// it to POST /snapshots, /restore-jobs, /backup-jobs, /agents/... or
// /auth/token. It goes through the functions those handlers call
// (parse_json_object, required_string, optional_string), then through what
// the handlers do with an accepted body: copy `metadata` out of it (as
// routes_snapshots.cc does) and serialize it (as the store, the WAL and the
// responses do).
//
// Properties: nothing crashes or throws (dump() included: the parser lets no
// invalid UTF-8 in); a rejected body is kInvalidArgument
// (malformed) or kValidation (wrong shape, naming the field); an accepted one
// is an object whose serialization parses back to an equal value.
//
// The first finding of the security review (a body nested tens of
// thousands deep overflowed the stack in the recursive copy and dump) is
// fixed by the nesting limit in parse_json_object; the target checks that an
// accepted body never nests deeper than that limit. Run with
// -max_len=300000 to give it room to try.
#include "api/parse.h"
#include "common/json_limits.h"
#include "fuzz_check.h"

namespace {

constexpr const char* kContentTypes[] = {"", "application/json", "application/json; charset=utf-8",
                                         "text/plain"};
// Fields the handlers read as strings.
constexpr const char* kStringFields[] = {"id",
                                         "agent_id",
                                         "checksum",
                                         "snapshot_id",
                                         "target_agent_id",
                                         "target_path",
                                         "registration_secret",
                                         "status",
                                         "message",
                                         "path"};

void check_field_status(const ff::Status& s) { FF_FUZZ_CHECK(s.code() == ff::Code::kValidation); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ff::api::Request req;
  req.method = "POST";
  req.content_type = kContentTypes[data[0] % std::size(kContentTypes)];
  req.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto body = ff::api::parse_json_object(req);
  if (!body.ok()) {
    auto code = body.status().code();
    FF_FUZZ_CHECK(code == ff::Code::kInvalidArgument || code == ff::Code::kValidation);
    return 0;
  }
  FF_FUZZ_CHECK(body->is_object());
  FF_FUZZ_CHECK(req.content_type.find("json") != std::string::npos || req.content_type.empty());
  FF_FUZZ_CHECK(ff::json_nesting_depth(req.body, ff::kMaxJsonDepth + 1) <= ff::kMaxJsonDepth);

  for (const char* field : kStringFields) {
    auto required = ff::api::required_string(*body, field);
    if (!required.ok()) check_field_status(required.status());
    auto optional = ff::api::optional_string(*body, field);
    if (!optional.ok()) check_field_status(optional.status());
    FF_FUZZ_CHECK(required.ok() == (optional.ok() && optional->has_value()));
  }

  nlohmann::json metadata;
  auto meta = body->find("metadata");
  if (meta != body->end() && meta->is_object()) metadata = *meta;  // as parse_new_snapshot

  // Serialized as routes_agents.cc and views.cc do, with a plain dump(): it
  // throws on a string that is not UTF-8, which the parser must never let in.
  std::string text = body->dump();
  std::string meta_text = metadata.dump();
  auto reparsed = nlohmann::json::parse(text, nullptr, false);
  FF_FUZZ_CHECK(!reparsed.is_discarded());
  FF_FUZZ_CHECK(nlohmann::json::parse(meta_text, nullptr, false).is_object() || metadata.is_null());
  return 0;
}
