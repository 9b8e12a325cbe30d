#include "config/config.h"

#include <gtest/gtest.h>

#include <map>

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
  EXPECT_EQ(r->config.wal_path, "/data/orchestrator_wal.log");
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

TEST(Config, ProductionRefusesDevSecrets) {
  auto r = load(env_of({{"ORCH_ENV", "production"}}));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("ORCH_JWT_SECRET"), std::string::npos);
}

TEST(Config, ProductionWithStrongSecretsStarts) {
  auto r = load(env_of({{"ORCH_ENV", "production"},
                        {"ORCH_JWT_SECRET", std::string(40, 'x')},
                        {"ORCH_REG_SECRET", "registration"},
                        {"ORCH_OPERATOR_SECRET", std::string(32, 'o')}}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_EQ(r->config.operator_secret, std::string(32, 'o'));
}

TEST(Config, ProductionRefusesAMissingShortOrSharedOperatorSecret) {
  std::map<std::string, std::string> base = {{"ORCH_ENV", "production"},
                                             {"ORCH_JWT_SECRET", std::string(40, 'j')},
                                             {"ORCH_REG_SECRET", std::string(40, 'r')},
                                             {"ORCH_JWT_SECRET_PREVIOUS", std::string(40, 'p')}};
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
               {"S3_STREAM_PUT_MAX_BYTES", "6000000000", "S3_STREAM_PUT_MAX_BYTES"},
               {"S3_STREAM_PUT_MAX_BYTES", "-1", "S3_STREAM_PUT_MAX_BYTES"}};
  for (const auto& c : cases) {
    auto r = load(env_of({{c.name, c.value}}));
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().message().rfind(std::string(c.named) + ":", 0), 0u)
        << r.status().message();
  }
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
