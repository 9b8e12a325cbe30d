// Finding a job by id when its kind is not known: restore jobs first, then
// backup jobs. Shared by `fortfail jobs ID` and `fortfail cancel`.
//
// Thread-safety: single-threaded.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "client/api_client.h"
#include "common/status.h"

namespace ff::cli {

struct FoundJob {
  std::string kind;  // restore | backup
  nlohmann::json job;
};

// kNotFound ("no job ID") when neither collection has it.
Result<FoundJob> find_job(client::ApiClient& api, const std::string& id);

}  // namespace ff::cli
