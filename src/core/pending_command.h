// The command a new restore or backup job queues for its agent: pending,
// never delivered, created and updated now.
#pragma once

#include <string>

#include "store/store.h"

namespace ff::core {

inline store::Command pending_command(std::string id, std::string agent_id, std::string job_id,
                                      std::string type, std::string payload_json, SystemTime now) {
  return store::Command{std::move(id),
                        std::move(agent_id),
                        std::move(job_id),
                        std::move(type),
                        std::move(payload_json),
                        "pending",
                        now,
                        now,
                        std::nullopt,
                        0};
}

}  // namespace ff::core
