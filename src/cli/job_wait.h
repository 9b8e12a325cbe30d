// Waiting for a restore or backup job to finish, for `--wait`: progress comes
// live from the event stream (restore_in_progress / backup_in_progress with
// bytes_done / bytes_total), the outcome from GET /<kind>/{id}, polled every
// two seconds as well, so a dropped stream only costs the progress bar.
//
// Thread-safety: single-threaded.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "client/event_stream.h"

namespace ff::cli {

// Opens the event stream before the job is created, so none of its events
// is missed. nullptr (with a note on stderr) when it cannot connect.
std::unique_ptr<client::EventStream> open_job_stream(Context& ctx);

struct JobEvent {
  std::string event_type;
  nlohmann::json metadata;
  std::string message;
};

// The agent event about `job_id` carried by one event stream message, if any.
// Accepts the fields at the top level or under "data" / "payload" / "event_data".
std::optional<JobEvent> job_event_of(const nlohmann::json& record, const std::string& job_id);

// Polls until the job's status is completed, failed or cancelled (or
// `timeout` passes: kUnavailable). Returns the final job object.
Result<nlohmann::json> wait_for_job(Context& ctx, client::EventStream* stream,
                                    const std::string& collection, const std::string& job_id,
                                    std::chrono::seconds timeout);

// The reason a finished job failed: the message of its last failure event
// ("" when it has none).
std::string failure_reason(const nlohmann::json& job);

}  // namespace ff::cli
