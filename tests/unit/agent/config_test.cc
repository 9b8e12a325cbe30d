#include <gtest/gtest.h>

#include <map>

#include "agent/config.h"

namespace ff::agent {
namespace {

EnvLookup env_of(std::map<std::string, std::string> m) {
  return [m](const std::string& n) -> std::optional<std::string> {
    auto it = m.find(n);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

Result<AgentConfig> parse(std::vector<const char*> args, std::map<std::string, std::string> env) {
  args.insert(args.begin(), "fortfail-agent");
  ParseOutcome outcome;
  return parse_agent_config(static_cast<int>(args.size()), args.data(), env_of(env), &outcome);
}

TEST(AgentConfig, DefaultsThenEnvironmentThenFlags) {
  auto d = parse({}, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->orchestrator_url, "http://127.0.0.1:8000");
  EXPECT_EQ(d->poll_interval, std::chrono::seconds(5));

  auto e = parse({}, {{"ORCHESTRATOR_URL", "http://orch:8000"},
                      {"POLL_INTERVAL", "9"},
                      {"AGENT_ID", "a1"},
                      {"BACKUP_INTERVAL", "3600"}});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->orchestrator_url, "http://orch:8000");
  EXPECT_EQ(e->poll_interval, std::chrono::seconds(9));
  EXPECT_EQ(e->backup_interval, std::chrono::seconds(3600));
  EXPECT_EQ(e->agent_id, "a1");

  auto f =
      parse({"--url", "https://flag:1", "--poll-interval", "2", "--agent-id", "a2"},
            {{"ORCHESTRATOR_URL", "http://orch:8000"}, {"POLL_INTERVAL", "9"}, {"AGENT_ID", "a1"}});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->orchestrator_url, "https://flag:1");
  EXPECT_EQ(f->poll_interval, std::chrono::seconds(2));
  EXPECT_EQ(f->agent_id, "a2");
}

TEST(AgentConfig, BadVariableIsNamed) {
  auto r = parse({}, {{"POLL_INTERVAL", "soon"}});
  ASSERT_EQ(r.status().code(), Code::kValidation);
  EXPECT_NE(r.status().message().find("POLL_INTERVAL"), std::string::npos);
}

TEST(AgentConfig, UnknownFlagIsAUsageError) {
  EXPECT_EQ(parse({"--bogus"}, {}).status().code(), Code::kInvalidArgument);
}

TEST(AgentConfig, FinalizeRequiresIdAndCredentials) {
  AgentConfig c;
  EXPECT_EQ(finalize_agent_config(c).code(), Code::kValidation);
  c.agent_id = "bad id!";
  c.reg_secret = "s";
  auto s = finalize_agent_config(c);
  EXPECT_EQ(s.code(), Code::kValidation);
  EXPECT_NE(s.message().find("AGENT_ID"), std::string::npos);
  c.agent_id = "agent-1";
  c.reg_secret = "";
  EXPECT_NE(finalize_agent_config(c).message().find("AGENT_REG_SECRET"), std::string::npos);
}

TEST(AgentConfig, FinalizeMakesPathsAbsoluteAndDefaultsSpool) {
  AgentConfig c;
  c.agent_id = "agent-1";
  c.jwt = "x.y.z";
  c.backup_dir = "rel/backup";
  c.restore_dir = "/r";
  ASSERT_TRUE(finalize_agent_config(c).ok());
  EXPECT_EQ(c.backup_dir.front(), '/');
  EXPECT_EQ(c.spool_dir, "/r/.fortfail-spool");
}

TEST(AgentConfig, SecretsComeFromTheEnvironment) {
  auto r = parse({}, {{"AGENT_REG_SECRET", "reg"},
                      {"ORCH_JWT", "tok"},
                      {"AGENT_SPOOL_DIR", "/s"},
                      {"ORCHESTRATOR_TLS_INSECURE", "1"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->reg_secret, "reg");
  EXPECT_EQ(r->jwt, "tok");
  EXPECT_EQ(r->spool_dir, "/s");
  EXPECT_TRUE(r->tls_insecure);
}

}  // namespace
}  // namespace ff::agent
