// Finding a job by id when its kind is not known: restore jobs first, then
// backup jobs, drills and verify jobs. Shared by `fortfail jobs ID` and
// `fortfail cancel`.
//
// Thread-safety: single-threaded.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "client/api_client.h"
#include "common/status.h"

namespace ff::cli {

struct FoundJob {
  std::string kind;  // restore | backup | drill | verify
  nlohmann::json job;
};

// The API collection of a kind: "/restore-jobs", "/backup-jobs", "/drills", "/verify-jobs".
std::string job_collection(const std::string& kind);
// kNotFound ("no job ID") when no collection has it.
Result<FoundJob> find_job(client::ApiClient& api, const std::string& id);

}  // namespace ff::cli
