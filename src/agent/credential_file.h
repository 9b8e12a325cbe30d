// The agent's own secret, obtained once by exchanging an enrollment code
// (POST /auth/enroll) and kept in <AGENT_STATE_DIR>/agent_secret, mode 0600.
//
// The file is written to a temporary name (O_EXCL, 0600), synced, renamed
// and the directory synced, so a crash leaves either no secret or the whole
// one. Reading refuses a file that is a symlink or that group or others may
// read: the secret must be private to the agent's user.
//
// Thread-safety: free functions; no shared state.
#pragma once

#include <optional>
#include <string>

#include "client/api_client.h"
#include "common/status.h"

namespace ff::agent {

inline constexpr char kAgentSecretFile[] = "agent_secret";

// The stored secret, or nullopt when the agent has not enrolled.
// kPermissionDenied for a file with loose permissions; kUnavailable when unreadable.
Result<std::optional<std::string>> load_agent_secret(const std::string& state_dir);

// Creates `state_dir` (0700) when missing and checks that a file can be
// written there: called before the one-time code is spent.
Status prepare_state_dir(const std::string& state_dir);

// Stores `secret` (replacing an earlier one).
Status save_agent_secret(const std::string& state_dir, const std::string& secret);

// Exchanges the one-time `code` for the agent's own secret.
Result<std::string> exchange_enrollment_code(client::ApiClient& client, const std::string& agent_id,
                                             const std::string& code);

}  // namespace ff::agent
