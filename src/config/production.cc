// What ORCH_ENV=production refuses: weak, default or shared secrets and plain
// HTTP that no TLS proxy protects. All problems are reported at once, one line
// each, so an operator fixes the deployment in one pass.
#include "config/config.h"

namespace ff::config {

namespace {

// HS256 keys and bearer secrets: 32 characters is 256 bits when random hex or
// base64 is used, the size of the HMAC itself.
constexpr size_t kMinSecretChars = 32;

}  // namespace

std::vector<NamedSecret> distinct_secrets(const Config& c) {
  std::vector<NamedSecret> out = {{"ORCH_JWT_SECRET", &c.jwt_secret},
                                  {"ORCH_REG_SECRET", &c.reg_secret}};
  if (!c.jwt_secret_previous.empty()) {
    out.push_back({"ORCH_JWT_SECRET_PREVIOUS", &c.jwt_secret_previous});
  }
  if (!c.operator_secret.empty()) out.push_back({"ORCH_OPERATOR_SECRET", &c.operator_secret});
  if (!c.s3.endpoint.empty()) out.push_back({"S3_SECRET_KEY", &c.s3.secret_key});
  return out;
}

std::vector<std::string> production_problems(const Config& c) {
  std::vector<std::string> out;
  auto strong = [&](const char* name, const std::string& value, const char* dev_default) {
    if (value == dev_default) {
      out.push_back(std::string(name) + ": the default dev secret is refused in production");
    } else if (value.size() < kMinSecretChars) {
      out.push_back(std::string(name) + ": must be at least " + std::to_string(kMinSecretChars) +
                    " characters in production");
    }
  };
  strong("ORCH_JWT_SECRET", c.jwt_secret, kDevJwtSecret);
  strong("ORCH_REG_SECRET", c.reg_secret, kDevRegSecret);
  // Without the operator secret the registration secret, which every agent
  // host holds, also mints admin tokens.
  if (c.operator_secret.empty()) {
    out.push_back("ORCH_OPERATOR_SECRET: required in production (at least " +
                  std::to_string(kMinSecretChars) +
                  " characters): without it the registration secret every agent host holds also "
                  "mints admin tokens");
  } else {
    strong("ORCH_OPERATOR_SECRET", c.operator_secret, "");
  }

  // A secret shared between two roles lets whoever holds one act as the other
  // (the registration secret on every agent host would sign tokens).
  std::vector<NamedSecret> secrets = distinct_secrets(c);
  for (size_t i = 0; i < secrets.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (*secrets[i].value == *secrets[j].value) {
        out.push_back(std::string(secrets[i].name) + ": must differ from " + secrets[j].name +
                      " in production");
        break;
      }
    }
  }

  if (!c.s3.endpoint.empty() &&
      (c.s3.access_key == "minioadmin" || c.s3.secret_key == "minioadmin")) {
    out.push_back("S3_SECRET_KEY: the default minioadmin credentials are refused in production");
  }
  if (!c.tls_enabled() && !c.behind_tls_proxy) {
    out.push_back(
        "ORCH_TLS_CERT: plain HTTP is refused in production; set ORCH_TLS_CERT and ORCH_TLS_KEY, "
        "or ORCH_BEHIND_TLS_PROXY=1 when a TLS proxy terminates HTTPS in front");
  }
  return out;
}

}  // namespace ff::config
