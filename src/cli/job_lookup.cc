#include "cli/job_lookup.h"

namespace ff::cli {

Result<FoundJob> find_job(client::ApiClient& api, const std::string& id) {
  for (const char* kind : {"restore", "backup"}) {
    auto r = api.get(std::string("/") + kind + "-jobs/" + id);
    if (r.ok()) return FoundJob{kind, std::move(*r)};
    if (r.status().code() != Code::kNotFound) return r.status();
  }
  return NotFound("no job " + id);
}

}  // namespace ff::cli
