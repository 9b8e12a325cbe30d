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

TEST(AgentConfig, ConfinementSettings) {
  auto d = parse({}, {});
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->restore_roots.empty());
  EXPECT_FALSE(d->keep_setid);
  EXPECT_EQ(d->max_restore_bytes, uint64_t{1} << 40);
  EXPECT_EQ(d->max_restore_entries, 10'000'000u);

  auto e = parse({}, {{"AGENT_ID", "a1"},
                      {"AGENT_REG_SECRET", "s"},
                      {"AGENT_RESTORE_ROOTS", "/srv/a, /srv/b/,,"},
                      {"AGENT_KEEP_SETID", "1"},
                      {"AGENT_MAX_RESTORE_BYTES", "1048576"},
                      {"AGENT_MAX_RESTORE_ENTRIES", "50"}});
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  ASSERT_TRUE(finalize_agent_config(*e).ok());
  EXPECT_EQ(e->restore_roots, (std::vector<std::string>{"/srv/a", "/srv/b"}));
  EXPECT_TRUE(e->keep_setid);
  EXPECT_EQ(e->max_restore_bytes, 1048576u);
  EXPECT_EQ(e->max_restore_entries, 50u);

  auto f = parse({"--restore-roots", "/x", "--keep-setid", "--max-restore-bytes", "7"},
                 {{"AGENT_ID", "a1"}, {"AGENT_REG_SECRET", "s"}});
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->restore_roots, (std::vector<std::string>{"/x"}));
  EXPECT_TRUE(f->keep_setid);
  EXPECT_EQ(f->max_restore_bytes, 7u);
}

TEST(AgentConfig, BadConfinementSettingsAreNamed) {
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"AGENT_MAX_RESTORE_BYTES", "lots"},
                                                        {"AGENT_MAX_RESTORE_BYTES", "0"},
                                                        {"AGENT_MAX_RESTORE_ENTRIES", "-5"}}) {
    auto r = parse({}, {{name, value}});
    EXPECT_EQ(r.status().code(), Code::kValidation) << name << "=" << value;
    EXPECT_NE(r.status().message().find(name), std::string::npos);
  }
  for (const char* roots : {"relative/dir", "/"}) {
    auto c =
        parse({}, {{"AGENT_ID", "a1"}, {"AGENT_REG_SECRET", "s"}, {"AGENT_RESTORE_ROOTS", roots}});
    ASSERT_TRUE(c.ok());
    Status s = finalize_agent_config(*c);
    EXPECT_EQ(s.code(), Code::kValidation) << roots;
    EXPECT_NE(s.message().find("AGENT_RESTORE_ROOTS"), std::string::npos);
  }
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

TEST(AgentConfig, DrillDirDefaultsBelowRestoreDirAndMayBeOverridden) {
  AgentConfig c;
  c.agent_id = "agent-1";
  c.jwt = "x.y.z";
  c.restore_dir = "/r/";
  ASSERT_TRUE(finalize_agent_config(c).ok());
  EXPECT_EQ(c.drill_dir, "/r/.fortfail-drills");

  auto e = parse({}, {{"AGENT_DRILL_DIR", "/scratch/drills"}});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->drill_dir, "/scratch/drills");
  auto f = parse({"--drill-dir", "/other/drills"}, {{"AGENT_DRILL_DIR", "/scratch/drills"}});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->drill_dir, "/other/drills");
  f->agent_id = "agent-1";
  f->jwt = "x.y.z";
  ASSERT_TRUE(finalize_agent_config(*f).ok());
  EXPECT_EQ(f->drill_dir, "/other/drills");
}

TEST(AgentConfig, DrillDirInsideARestoreTargetIsRefused) {
  for (std::string dir : {"/r/drills", "/r", "/srv/roots/x/drills", "/srv", "/"}) {
    AgentConfig c;
    c.agent_id = "agent-1";
    c.jwt = "x.y.z";
    c.restore_dir = "/r";
    c.restore_roots = {"/srv/roots"};
    c.drill_dir = dir;
    Status s = finalize_agent_config(c);
    EXPECT_EQ(s.code(), Code::kValidation) << dir;
    EXPECT_NE(s.message().find("AGENT_DRILL_DIR"), std::string::npos) << dir;
  }
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

namespace ff::agent {
namespace {

TEST(AgentConfig, BackupFormatAndKeyFile) {
  auto d = parse({}, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->backup_format, AgentConfig::BackupFormat::kRepository);
  EXPECT_TRUE(d->key_file.empty());
  auto e = parse({}, {{"AGENT_BACKUP_FORMAT", "tar"}, {"AGENT_KEY_FILE", "/etc/ff/key"}});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->backup_format, AgentConfig::BackupFormat::kTar);
  EXPECT_EQ(e->key_file, "/etc/ff/key");
  auto f = parse({"--backup-format", "repository", "--key-file", "/k"},
                 {{"AGENT_BACKUP_FORMAT", "tar"}});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->backup_format, AgentConfig::BackupFormat::kRepository);
  EXPECT_EQ(f->key_file, "/k");
  auto bad = parse({}, {{"AGENT_BACKUP_FORMAT", "zip"}});
  ASSERT_EQ(bad.status().code(), Code::kValidation);
  EXPECT_NE(bad.status().message().find("AGENT_BACKUP_FORMAT"), std::string::npos);
}

}  // namespace
}  // namespace ff::agent
