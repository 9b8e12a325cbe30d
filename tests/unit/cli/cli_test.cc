#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/job_wait.h"
#include "cli/login_store.h"
#include "cli/rate_meter.h"
#include "repo/key.h"

namespace ff::cli {
namespace {

namespace fs = std::filesystem;

EnvLookup env_of(std::map<std::string, std::string> m) {
  return [m](const std::string& n) -> std::optional<std::string> {
    auto it = m.find(n);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Format, TableAlignsColumnsByCodePoints) {
  std::string t = render_table({"ID", "STATUS"}, {{"ünï", "online"}, {"agent-22", "offline"}});
  EXPECT_EQ(t,
            "ID        STATUS\n"
            "ünï       online\n"
            "agent-22  offline\n");
}

TEST(Format, HumanBytes) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(1023), "1023 B");
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(human_bytes(uint64_t{3} << 30), "3.0 GiB");
}

TEST(Format, ProgressBar) {
  EXPECT_EQ(render_progress("extract", 512, 1024, 10), "[#####-----]  50% extract 512 B / 1.0 KiB");
  EXPECT_EQ(render_progress("archive", 2048, 0, 10), "archive 2.0 KiB");
  EXPECT_EQ(render_progress("download", 5000, 1000, 4), "[####] 100% download 4.9 KiB / 1000 B");
}

TEST(Format, ListOfAcceptsArraysAndPages) {
  EXPECT_EQ(list_of(nlohmann::json::array({1, 2})).size(), 2u);
  EXPECT_EQ(list_of(nlohmann::json{{"items", {1}}, {"total", 1}}).size(), 1u);
  EXPECT_TRUE(list_of(nlohmann::json{{"x", 1}}).empty());
}

TEST(LoginStore, SavesWithMode0600AndLoadsBack) {
  std::string dir = ::testing::TempDir() + "/ff-login-test";
  fs::remove_all(dir);
  std::string path = dir + "/nested/token";
  ASSERT_TRUE(save_login(path, {"http://o:8000", "t.o.k"}).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto l = load_login(path);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->url, "http://o:8000");
  EXPECT_EQ(l->token, "t.o.k");
  EXPECT_EQ(load_login(dir + "/missing").status().code(), Code::kNotFound);
  fs::remove_all(dir);
}

TEST(LoginStore, PathPrecedence) {
  EXPECT_EQ(login_path(env_of({{"FORTFAIL_CONFIG", "/x/t"}, {"HOME", "/h"}})), "/x/t");
  EXPECT_EQ(login_path(env_of({{"XDG_CONFIG_HOME", "/c"}, {"HOME", "/h"}})), "/c/fortfail/token");
  EXPECT_EQ(login_path(env_of({{"HOME", "/h"}})), "/h/.config/fortfail/token");
}

TEST(JobWait, FindsAgentEventsForTheJob) {
  auto top = nlohmann::json::parse(
      R"({"seq":5,"event":"agent_event","job_id":"j1","event_type":"restore_in_progress","metadata":{"bytes_done":5}})");
  auto e = job_event_of(top, "j1");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->event_type, "restore_in_progress");
  EXPECT_EQ(e->metadata["bytes_done"], 5);
  EXPECT_FALSE(job_event_of(top, "j2").has_value());
  auto nested = nlohmann::json::parse(
      R"({"seq":6,"event":"agent_event","data":{"job_id":"j1","event_type":"restore_completed"}})");
  EXPECT_EQ(job_event_of(nested, "j1")->event_type, "restore_completed");
}

TEST(ExitCodes, FollowTheFailureKind) {
  EXPECT_EQ(exit_code_for(OkStatus()), kExitOk);
  EXPECT_EQ(exit_code_for(Unauthenticated("x")), kExitAuth);
  EXPECT_EQ(exit_code_for(PermissionDenied("x")), kExitAuth);
  EXPECT_EQ(exit_code_for(NotFound("x")), kExitNotFound);
  EXPECT_EQ(exit_code_for(Unavailable("x")), kExitUnavailable);
  EXPECT_EQ(exit_code_for(Conflict("x")), kExitFailed);
  EXPECT_EQ(exit_code_for(ValidationError("x")), kExitUsage);
}

struct CliRun {
  int code;
  std::string out, err;
};

CliRun run(std::vector<const char*> args, std::map<std::string, std::string> env = {}) {
  if (!env.count("FORTFAIL_CONFIG")) env["FORTFAIL_CONFIG"] = "/nonexistent/ff/token";
  std::ostringstream out, err;
  Context ctx(env_of(env), out, err);
  args.insert(args.begin(), "fortfail");
  int code = run_cli(static_cast<int>(args.size()), args.data(), ctx);
  return {code, out.str(), err.str()};
}

TEST(RunCli, NoSubcommandIsAUsageError) {
  CliRun r = run({});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("fortfail:"), std::string::npos);
}

TEST(RunCli, HelpListsEverySubcommand) {
  CliRun r = run({"--help"});
  EXPECT_EQ(r.code, kExitOk);
  for (const char* s : {"login", "agents", "snapshots", "snapshot", "backup", "restore", "jobs",
                        "events", "wal", "gc", "key"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
}

TEST(RunCli, RestoreNeedsTo) {
  CliRun r = run({"restore", "snap-1"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("--to"), std::string::npos);
}

TEST(RunCli, NotLoggedInSaysSo) {
  CliRun r = run({"agents"});
  EXPECT_EQ(r.code, kExitAuth);
  EXPECT_NE(r.err.find("fortfail login"), std::string::npos);
}

TEST(RunCli, InvalidIdIsRejectedBeforeAnyRequest) {
  CliRun r = run({"snapshot", "show", "../etc"}, {{"FORTFAIL_TOKEN", "t"}});
  EXPECT_EQ(r.code, kExitUsage);
}

TEST(RunCli, UnreachableOrchestratorIsExit5) {
  CliRun r = run({"--url", "http://127.0.0.1:1", "agents"}, {{"FORTFAIL_TOKEN", "t"}});
  EXPECT_EQ(r.code, kExitUnavailable);
  EXPECT_NE(r.err.find("hint"), std::string::npos);
}

TEST(RunCli, KeyGenerateWritesA0600KeyFileAndPrintsItsId) {
  std::string dir = ::testing::TempDir() + "/ff-key-generate";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = dir + "/repo.key";
  CliRun r = run({"key", "generate", "--out", path.c_str()});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  auto key = repo::load_key_file(path);
  ASSERT_TRUE(key.ok()) << key.status().to_string();
  EXPECT_NE(r.out.find("key id: " + key->key_id), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("losing it loses every backup"), std::string::npos) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  fs::remove_all(dir);
}

TEST(RunCli, KeyGenerateRefusesToOverwrite) {
  std::string dir = ::testing::TempDir() + "/ff-key-overwrite";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = dir + "/repo.key";
  ASSERT_EQ(run({"key", "generate", "--out", path.c_str()}).code, kExitOk);
  auto first = repo::load_key_file(path);
  ASSERT_TRUE(first.ok());
  CliRun again = run({"--json", "key", "generate", "--out", path.c_str()});
  EXPECT_EQ(again.code, kExitFailed);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_TRUE(again.out.empty());
  auto still = repo::load_key_file(path);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->key_id, first->key_id);
  fs::remove_all(dir);
}

TEST(RunCli, KeyGenerateNeedsOut) {
  CliRun r = run({"key", "generate"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("--out"), std::string::npos);
}

TEST(RateMeter, AveragesSinceThePhasesFirstSampleAndStartsOverOnANewPhase) {
  using std::chrono::milliseconds;
  RateMeter m;
  RateMeter::TimePoint t0{};
  EXPECT_EQ(m.sample("download", 0, t0), std::nullopt);
  EXPECT_EQ(m.sample("download", 1000, t0 + milliseconds(200)), std::nullopt);  // too soon
  auto r = m.sample("download", 4 << 20, t0 + milliseconds(2000));
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(*r, (4 << 20) / 2.0);
  // A new phase starts over, and so does a retried transfer (fewer bytes).
  EXPECT_EQ(m.sample("extract", 10, t0 + milliseconds(3000)), std::nullopt);
  EXPECT_TRUE(m.sample("extract", 5000, t0 + milliseconds(4000)).has_value());
  EXPECT_EQ(m.sample("extract", 100, t0 + milliseconds(5000)), std::nullopt);
}

TEST(RateMeter, RendersRateAndTimeLeft) {
  EXPECT_EQ(render_rate(std::nullopt, 0, 100), "");
  EXPECT_EQ(render_rate(0.0, 0, 100), "");
  EXPECT_EQ(render_rate(1024.0 * 1024, 0, 0), " 1.0 MiB/s");
  EXPECT_EQ(render_rate(1024.0 * 1024, 100, 100), " 1.0 MiB/s");
  EXPECT_EQ(render_rate(1024.0 * 1024, 0, uint64_t{65} << 20), " 1.0 MiB/s, 1:05 left");
  EXPECT_EQ(render_rate(1.0, 0, 3725), " 1 B/s, 1:02:05 left");
  EXPECT_EQ(render_rate(1.0, 0, uint64_t{1} << 40), " 1 B/s");
}

}  // namespace
}  // namespace ff::cli
