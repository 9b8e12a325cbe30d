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
  EXPECT_EQ(r->warnings.size(), 2u);
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

TEST(Config, ProductionWithStrongSecretsStarts) {
  auto r = load(env_of({{"ORCH_ENV", "production"},
                        {"ORCH_JWT_SECRET", std::string(40, 'x')},
                        {"ORCH_REG_SECRET", "registration"}}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->warnings.empty());
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
