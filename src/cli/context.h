// Context: what every `fortfail` subcommand shares: global flags (--url,
// --json, TLS), the stored login, an API client with the operator token, and
// the mapping from a failure to a message and an exit code.
//
// Exit codes: 0 success; 1 the operation failed (job failed, conflict, ...);
// 2 usage or invalid input; 3 not logged in / not authorized; 4 not found;
// 5 orchestrator unreachable or unavailable.
//
// Thread-safety: single-threaded, like the CLI.
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include "cli/login_store.h"
#include "client/api_client.h"
#include "common/status.h"

namespace ff::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitAuth = 3;
constexpr int kExitNotFound = 4;
constexpr int kExitUnavailable = 5;

int exit_code_for(const Status& s);

class Context {
 public:
  Context(EnvLookup env, std::ostream& out, std::ostream& err)
      : env_(std::move(env)), out_(out), err_(err) {}

  // Global flags, bound by main before parsing.
  std::string url_flag;
  std::string ca_file;
  bool insecure = false;
  bool json = false;
  std::string config_flag;  // --config: login file path

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  const EnvLookup& env() const { return env_; }

  std::string login_file() const;
  // --url, else FORTFAIL_URL, else the stored login's URL, else http://127.0.0.1:8000.
  std::string base_url() const;
  client::ClientOptions client_options() const;
  // An API client with the operator token (FORTFAIL_TOKEN or the stored login).
  Result<client::ApiClient*> api();
  Result<std::string> token();

  // Prints "fortfail: <message>" (with a hint for auth and network errors);
  // returns the exit code.
  int fail(const Status& s);

 private:
  EnvLookup env_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<client::ApiClient> client_;
};

}  // namespace ff::cli
