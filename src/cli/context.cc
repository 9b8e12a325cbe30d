#include "cli/context.h"

namespace ff::cli {

int exit_code_for(const Status& s) {
  switch (s.code()) {
    case Code::kOk:
      return kExitOk;
    case Code::kInvalidArgument:
    case Code::kValidation:
      return kExitUsage;
    case Code::kUnauthenticated:
    case Code::kPermissionDenied:
      return kExitAuth;
    case Code::kNotFound:
      return kExitNotFound;
    case Code::kUnavailable:
    case Code::kRateLimited:
      return kExitUnavailable;
    default:
      return kExitFailed;
  }
}

std::string Context::login_file() const {
  return config_flag.empty() ? login_path(env_) : config_flag;
}

std::string Context::base_url() const {
  if (!url_flag.empty()) return url_flag;
  if (auto v = env_("FORTFAIL_URL"); v && !v->empty()) return *v;
  auto stored = load_login(login_file());
  if (stored.ok() && !stored->url.empty()) return stored->url;
  return "http://127.0.0.1:8000";
}

client::ClientOptions Context::client_options() const {
  client::ClientOptions o;
  o.base_url = base_url();
  o.ca_file = ca_file.empty() ? env_("FORTFAIL_CA_FILE").value_or("") : ca_file;
  o.insecure = insecure;
  o.user_agent = "fortfail-cli/" FF_VERSION;
  return o;
}

Result<std::string> Context::token() {
  if (auto v = env_("FORTFAIL_TOKEN"); v && !v->empty()) return *v;
  auto stored = load_login(login_file());
  if (!stored.ok()) {
    if (stored.status().code() == Code::kNotFound)
      return Unauthenticated(stored.status().message());
    return stored.status();
  }
  return stored->token;
}

Result<client::ApiClient*> Context::api() {
  if (!client_) {
    FF_ASSIGN_OR_RETURN(std::string t, token());
    client_ = std::make_unique<client::ApiClient>(client_options());
    client_->set_token(t);
  }
  return client_.get();
}

int Context::fail(const Status& s) {
  err_ << "fortfail: " << s.message() << "\n";
  if (s.code() == Code::kUnauthenticated) {
    err_ << "hint: run `fortfail login` (the token may have expired)\n";
  } else if (s.code() == Code::kUnavailable) {
    err_ << "hint: is the orchestrator running at " << base_url() << "? (--url or FORTFAIL_URL)\n";
  }
  return exit_code_for(s);
}

}  // namespace ff::cli
