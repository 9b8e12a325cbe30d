#include "cli/job_lookup.h"

namespace ff::cli {

namespace {
constexpr std::pair<const char*, const char*> kCollections[] = {{"restore", "/restore-jobs"},
                                                                {"backup", "/backup-jobs"},
                                                                {"drill", "/drills"},
                                                                {"verify", "/verify-jobs"}};
}  // namespace

std::string job_collection(const std::string& kind) {
  for (const auto& [k, path] : kCollections) {
    if (kind == k) return path;
  }
  return "/" + kind + "-jobs";
}

Result<FoundJob> find_job(client::ApiClient& api, const std::string& id) {
  for (const auto& [kind, path] : kCollections) {
    auto r = api.get(std::string(path) + "/" + id);
    if (r.ok()) return FoundJob{kind, std::move(*r)};
    if (r.status().code() != Code::kNotFound) return r.status();
  }
  return NotFound("no job " + id);
}

}  // namespace ff::cli
