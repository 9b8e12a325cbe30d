#include "config/config.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace ff::config {
namespace {

Getenv env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Config, DefaultsMatchTheSeedAndWarnAboutDevSecrets) {
  auto r = load(env_of({}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->config.database_url, "sqlite:///./orchestrator.db");
  // Unset: decided at start-up beside the database (orchestrator/wiring.cc), not /data.
  EXPECT_EQ(r->config.wal_path, "");
  EXPECT_EQ(r->config.listen_port, 8000);
  EXPECT_EQ(r->config.token_ttl.count(), 604800);
  EXPECT_EQ(r->config.command_lease.count(), 300);
  EXPECT_EQ(r->config.agent_offline.count(), 60);
  EXPECT_EQ(r->config.s3.bucket, "fortfail-snapshots");
  EXPECT_EQ(r->config.s3.region, "us-east-1");
  // Both dev secrets, and no ORCH_OPERATOR_SECRET.
  EXPECT_EQ(r->warnings.size(), 3u);
  EXPECT_TRUE(r->config.operator_secret.empty());
  EXPECT_TRUE(r->config.reg_secret_enabled);
}

TEST(Config, S3KeyPrefixDefaultsToSnapshotsAndMayBeEmpty) {
  auto def = load(env_of({}));
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->config.s3.key_prefix, "snapshots/");
  auto seed = load(env_of({{"S3_KEY_PREFIX", ""}}));
  ASSERT_TRUE(seed.ok());
  EXPECT_EQ(seed->config.s3.key_prefix, "");
  auto nested = load(env_of({{"S3_KEY_PREFIX", "tenant-1/backups/"}}));
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(nested->config.s3.key_prefix, "tenant-1/backups/");
}

TEST(Config, S3KeyPrefixRefusesAbsoluteAndParentPaths) {
  for (const char* bad : {"/snapshots/", "../x/", "a/../", "a/..", "x\\y", "a\nb"}) {
    auto r = load(env_of({{"S3_KEY_PREFIX", bad}}));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().rfind("S3_KEY_PREFIX: ", 0), 0u) << r.status().message();
  }
}

TEST(Config, ReplicaIdIsAShortNameWithoutSpaces) {
  auto def = load(env_of({}));
  ASSERT_TRUE(def.ok());
  EXPECT_EQ(def->config.replica_id, "");  // wiring picks <hostname>:<port>
  auto named = load(env_of({{"ORCH_REPLICA_ID", "orchestrator-1.eu:8000"}}));
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->config.replica_id, "orchestrator-1.eu:8000");
  const std::string too_long(65, 'r');
  for (const std::string& bad : {std::string("two words"), std::string("a/b"), too_long}) {
    auto r = load(env_of({{"ORCH_REPLICA_ID", bad}}));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().rfind("ORCH_REPLICA_ID: ", 0), 0u) << r.status().message();
  }
}

// Found by fuzz/orch_config_fuzz.cc: strtod reads "nan" and "inf", and NaN
// slipped past the minimum check.
TEST(Config, RateLimitsMustBeFiniteNumbers) {
  for (const char* name : {"ORCH_TOKEN_RATE_BURST", "ORCH_TOKEN_RATE_PER_SECOND"}) {
    for (const char* value : {"nan", "NaN", "-nan", "inf", "infinity", "1e999"}) {
      auto r = load(env_of({{name, value}}));
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << name << "=" << value;
      EXPECT_EQ(r.status().message(), std::string(name) + ": expected a finite number")
          << name << "=" << value;
    }
  }
  auto ok = load(env_of({{"ORCH_TOKEN_RATE_BURST", "2.5e1"}}));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->config.token_rate_burst, 25);
}

TEST(Config, ProductionRefusesDevSecrets) {
  auto r = load(env_of({{"ORCH_ENV", "production"}}));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("ORCH_JWT_SECRET"), std::string::npos);
}

// A production environment that passes every check; tests change one thing.
std::map<std::string, std::string> good_production() {
  return {{"ORCH_ENV", "production"},
          {"ORCH_JWT_SECRET", std::string(40, 'j')},
          {"ORCH_REG_SECRET", std::string(32, 'r')},
          {"ORCH_OPERATOR_SECRET", std::string(36, 'o')},
          {"ORCH_TLS_CERT", "/etc/fortfail/cert.pem"},
          {"ORCH_TLS_KEY", "/etc/fortfail/key.pem"}};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

TEST(Config, ProductionWithStrongSecretsStarts) {
  auto r = load(env_of(good_production()));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_TRUE(r->config.served_over_https());
}

TEST(Config, ProductionBehindATlsProxyStartsOnPlainHttp) {
  auto env = good_production();
  env.erase("ORCH_TLS_CERT");
  env.erase("ORCH_TLS_KEY");
  env["ORCH_BEHIND_TLS_PROXY"] = "1";
  auto r = load(env_of(env));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->config.behind_tls_proxy);
  EXPECT_FALSE(r->config.tls_enabled());
  EXPECT_TRUE(r->config.served_over_https());
}

TEST(Config, ProductionRefusesPlainHttpWithoutATlsProxy) {
  for (const char* proxy : {"", "0"}) {
    auto env = good_production();
    env.erase("ORCH_TLS_CERT");
    env.erase("ORCH_TLS_KEY");
    if (*proxy) env["ORCH_BEHIND_TLS_PROXY"] = proxy;
    auto r = load(env_of(env));
    ASSERT_EQ(r.status().code(), Code::kInvalidArgument) << proxy;
    EXPECT_NE(r.status().message().find("plain HTTP"), std::string::npos);
    EXPECT_NE(r.status().message().find("ORCH_BEHIND_TLS_PROXY=1"), std::string::npos);
  }
  // Development keeps plain HTTP.
  EXPECT_TRUE(load(env_of({})).ok());
}

TEST(Config, ProductionRefusesAShortRegistrationSecret) {
  for (std::string secret : {std::string("x"), std::string(31, 'r')}) {
    auto env = good_production();
    env["ORCH_REG_SECRET"] = secret;
    auto r = load(env_of(env));
    ASSERT_EQ(r.status().code(), Code::kInvalidArgument) << secret.size();
    EXPECT_EQ(r.status().message(),
              "ORCH_REG_SECRET: must be at least 32 characters in production");
  }
}

TEST(Config, ProductionRefusesARegistrationSecretEqualToTheJwtSecret) {
  auto env = good_production();
  env["ORCH_REG_SECRET"] = env["ORCH_JWT_SECRET"];
  auto r = load(env_of(env));
  ASSERT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "ORCH_REG_SECRET: must differ from ORCH_JWT_SECRET in production");
  EXPECT_EQ(r.status().message().find(env["ORCH_JWT_SECRET"]), std::string::npos)
      << "the secret itself is never in the message";
}

TEST(Config, ProductionRefusesAnS3SecretEqualToAnotherSecret) {
  auto env = good_production();
  env["S3_ENDPOINT"] = "https://s3.example.test";
  env["S3_ACCESS_KEY"] = "fortfail";
  env["S3_SECRET_KEY"] = env["ORCH_REG_SECRET"];
  auto r = load(env_of(env));
  ASSERT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "S3_SECRET_KEY: must differ from ORCH_REG_SECRET in production");
}

TEST(Config, ProductionReportsEveryProblemOneLineEach) {
  auto r = load(env_of(
      {{"ORCH_ENV", "production"}, {"ORCH_JWT_SECRET", "short"}, {"ORCH_REG_SECRET", "short"}}));
  ASSERT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(lines_of(r.status().message()),
            (std::vector<std::string>{
                "ORCH_JWT_SECRET: must be at least 32 characters in production",
                "ORCH_REG_SECRET: must be at least 32 characters in production",
                "ORCH_OPERATOR_SECRET: required in production (at least 32 characters): without "
                "it the registration secret every agent host holds also mints admin tokens",
                "ORCH_REG_SECRET: must differ from ORCH_JWT_SECRET in production",
                "ORCH_TLS_CERT: plain HTTP is refused in production; set ORCH_TLS_CERT and "
                "ORCH_TLS_KEY, or ORCH_BEHIND_TLS_PROXY=1 when a TLS proxy terminates HTTPS in "
                "front"}));
}

TEST(Config, DistinctSecretsListsEachSecretVariable) {
  auto r = load(env_of(good_production()));
  ASSERT_TRUE(r.ok());
  std::vector<std::string> names;
  for (const auto& s : distinct_secrets(r->config)) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ORCH_JWT_SECRET", "ORCH_REG_SECRET",
                                             "ORCH_OPERATOR_SECRET"}));
}

TEST(Config, ProductionRefusesAMissingShortOrSharedOperatorSecret) {
  std::map<std::string, std::string> base = {{"ORCH_ENV", "production"},
                                             {"ORCH_JWT_SECRET", std::string(40, 'j')},
                                             {"ORCH_REG_SECRET", std::string(40, 'r')},
                                             {"ORCH_JWT_SECRET_PREVIOUS", std::string(40, 'p')},
                                             {"ORCH_BEHIND_TLS_PROXY", "1"}};
  struct Case {
    const char* operator_secret;  // nullptr: unset
    const char* says;
  };
  const std::string jwt(40, 'j'), reg(40, 'r'), prev(40, 'p'), short_one(31, 'o');
  const Case cases[] = {{nullptr, "required in production"},
                        {short_one.c_str(), "at least 32 characters"},
                        {jwt.c_str(), "must differ from ORCH_JWT_SECRET"},
                        {reg.c_str(), "must differ from ORCH_REG_SECRET"},
                        {prev.c_str(), "must differ from ORCH_JWT_SECRET_PREVIOUS"}};
  for (const Case& c : cases) {
    auto vars = base;
    if (c.operator_secret) vars["ORCH_OPERATOR_SECRET"] = c.operator_secret;
    auto r = load(env_of(vars));
    ASSERT_FALSE(r.ok()) << c.says;
    EXPECT_EQ(r.status().message().rfind("ORCH_OPERATOR_SECRET: ", 0), 0u) << r.status().message();
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << r.status().message();
  }
  base["ORCH_OPERATOR_SECRET"] = std::string(32, 'o');
  EXPECT_TRUE(load(env_of(base)).ok());
}

TEST(Config, DevelopmentWarnsWithoutOperatorSecret) {
  auto r = load(env_of({{"ORCH_JWT_SECRET", "j"}, {"ORCH_REG_SECRET", "r"}}));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("ORCH_OPERATOR_SECRET is not set"), std::string::npos);
  r = load(
      env_of({{"ORCH_JWT_SECRET", "j"}, {"ORCH_REG_SECRET", "r"}, {"ORCH_OPERATOR_SECRET", "o"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->warnings.empty());
}

TEST(Config, RegistrationSecretOffNeedsAnOperatorSecret) {
  auto r = load(env_of({{"ORCH_REG_SECRET_ENABLED", "0"}}));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("ORCH_REG_SECRET_ENABLED:", 0), 0u);
  r = load(env_of({{"ORCH_REG_SECRET_ENABLED", "0"}, {"ORCH_OPERATOR_SECRET", "o"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->config.reg_secret_enabled);
}

TEST(Config, PreviousJwtSecretMustDiffer) {
  auto r = load(env_of({{"ORCH_JWT_SECRET", "same"}, {"ORCH_JWT_SECRET_PREVIOUS", "same"}}));
  EXPECT_EQ(r.status().message().rfind("ORCH_JWT_SECRET_PREVIOUS:", 0), 0u);
}

TEST(Config, BadValuesNameTheVariable) {
  struct Case {
    const char* name;
    const char* value;
    const char* named;  // the variable the error names
  } cases[] = {{"ORCH_LISTEN", "nope", "ORCH_LISTEN"},
               {"ORCH_LISTEN", "0.0.0.0:99999", "ORCH_LISTEN"},
               {"ORCH_TOKEN_TTL_SECONDS", "abc", "ORCH_TOKEN_TTL_SECONDS"},
               {"ORCH_COMMAND_LEASE_SECONDS", "0", "ORCH_COMMAND_LEASE_SECONDS"},
               {"DATABASE_URL", "mysql://x", "DATABASE_URL"},
               {"ORCH_ENV", "staging", "ORCH_ENV"},
               {"ORCH_TLS_CERT", "/x.pem", "ORCH_TLS_KEY"},
               {"ORCH_LOG_LEVEL", "loud", "ORCH_LOG_LEVEL"},
               {"ORCH_BEHIND_TLS_PROXY", "yes", "ORCH_BEHIND_TLS_PROXY"},
               {"S3_STREAM_PUT_MAX_BYTES", "6000000000", "S3_STREAM_PUT_MAX_BYTES"},
               {"S3_STREAM_PUT_MAX_BYTES", "-1", "S3_STREAM_PUT_MAX_BYTES"},
               {"ORCH_REQUIRE_ENCRYPTION", "yes", "ORCH_REQUIRE_ENCRYPTION"},
               {"ORCH_REPO_SESSION_TTL_SECONDS", "0", "ORCH_REPO_SESSION_TTL_SECONDS"},
               {"ORCH_LOG_FORMAT", "xml", "ORCH_LOG_FORMAT"},
               {"ORCH_LOG_FORMAT", "JSON", "ORCH_LOG_FORMAT"},
               {"ORCH_METRICS_PUBLIC", "yes", "ORCH_METRICS_PUBLIC"},
               {"ORCH_AGENT_OFFLINE_ALERT_SECONDS", "0", "ORCH_AGENT_OFFLINE_ALERT_SECONDS"}};
  for (const auto& c : cases) {
    auto r = load(env_of({{c.name, c.value}}));
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().message().rfind(std::string(c.named) + ":", 0), 0u)
        << r.status().message();
  }
}

TEST(Config, OperationsSettings) {
  auto d = load(env_of({}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->config.log_format, "text");
  EXPECT_FALSE(d->config.metrics_public);
  EXPECT_EQ(d->config.agent_offline_alert, std::chrono::seconds(600));
  auto r = load(env_of({{"ORCH_LOG_FORMAT", "json"},
                        {"ORCH_METRICS_PUBLIC", "1"},
                        {"ORCH_AGENT_OFFLINE_ALERT_SECONDS", "30"}}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->config.log_format, "json");
  EXPECT_TRUE(r->config.metrics_public);
  EXPECT_EQ(r->config.agent_offline_alert, std::chrono::seconds(30));
}

TEST(Config, RepositoryFormatSettings) {
  auto d = load(env_of({}));
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->config.require_encryption);
  EXPECT_EQ(d->config.repo_session_ttl, std::chrono::seconds(3600));
  auto r =
      load(env_of({{"ORCH_REQUIRE_ENCRYPTION", "1"}, {"ORCH_REPO_SESSION_TTL_SECONDS", "60"}}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->config.require_encryption);
  EXPECT_EQ(r->config.repo_session_ttl, std::chrono::seconds(60));
}

TEST(Config, S3TransferSizes) {
  auto d = load(env_of({}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->config.s3.part_size, 8u << 20);
  EXPECT_EQ(d->config.s3.stream_put_max_size, 5ull << 30);
  auto r = load(env_of({{"S3_PART_SIZE_BYTES", "5242880"}, {"S3_STREAM_PUT_MAX_BYTES", "0"}}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->config.s3.part_size, 5u << 20);
  EXPECT_EQ(r->config.s3.stream_put_max_size, 0u);
}

TEST(Config, QuotasAndConnectionCap) {
  auto d = load(env_of({}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->config.max_object_bytes, 256ull << 30);
  EXPECT_EQ(d->config.agent_quota_bytes, 0u);
  EXPECT_EQ(d->config.agent_events_per_second, 20);
  EXPECT_EQ(d->config.agent_event_burst, 200);
  EXPECT_EQ(d->config.max_job_events, 1000);
  EXPECT_EQ(d->config.max_connections, 0u);  // derived from RLIMIT_NOFILE by the server
  auto r = load(env_of({{"ORCH_AGENT_QUOTA_BYTES", "1000"},
                        {"ORCH_AGENT_EVENTS_PER_SECOND", "0.5"},
                        {"ORCH_AGENT_EVENT_BURST", "5"},
                        {"ORCH_MAX_JOB_EVENTS", "50"},
                        {"ORCH_MAX_CONNECTIONS", "300"}}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->config.agent_quota_bytes, 1000u);
  EXPECT_EQ(r->config.agent_events_per_second, 0.5);
  EXPECT_EQ(r->config.agent_event_burst, 5);
  EXPECT_EQ(r->config.max_job_events, 50);
  EXPECT_EQ(r->config.max_connections, 300u);
  for (auto [name, value] :
       {std::pair{"ORCH_MAX_JOB_EVENTS", "1"}, std::pair{"ORCH_MAX_CONNECTIONS", "-1"},
        std::pair{"ORCH_AGENT_EVENTS_PER_SECOND", "0"}, std::pair{"ORCH_AGENT_EVENT_BURST", "x"}}) {
    auto bad = load(env_of({{name, value}}));
    ASSERT_FALSE(bad.ok()) << name;
    EXPECT_EQ(bad.status().message().rfind(std::string(name) + ":", 0), 0u)
        << bad.status().message();
  }
}

TEST(Config, ListenAndCorsParse) {
  auto r = load(env_of({{"ORCH_LISTEN", "127.0.0.1:9001"},
                        {"ORCH_CORS_ORIGINS", "https://a.example, https://b.example"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->config.listen_host, "127.0.0.1");
  EXPECT_EQ(r->config.listen_port, 9001);
  ASSERT_EQ(r->config.cors_origins.size(), 2u);
  EXPECT_EQ(r->config.cors_origins[1], "https://b.example");
}

}  // namespace
}  // namespace ff::config
