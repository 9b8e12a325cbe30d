// `fortfail drill` and `fortfail verify`: the two ways to prove stored
// backups (docs/verification.md). Both queue a job (POST /drills, POST
// /verify-jobs) and with --wait follow it to the end and print what it
// found; the exit code is 1 when the proof failed (a failed drill, or a
// verify that found a corrupt snapshot), so cron and CI can alert on it.
#include <CLI/CLI.hpp>

#include <functional>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/job_wait.h"

namespace ff::cli {

namespace {

struct Submit {
  std::string noun;        // "drill", "verify job"
  std::string collection;  // "/drills", "/verify-jobs"
  nlohmann::json body;
  bool wait = false;
  int timeout = 0;
  // For a finished job: the line to print and whether the proof held.
  std::function<std::pair<std::string, bool>(const nlohmann::json& job)> outcome;
};

int submit(Context& ctx, const Submit& s) {
  auto api = ctx.api();
  if (!api.ok()) return ctx.fail(api.status());
  std::unique_ptr<client::EventStream> stream;
  if (s.wait) stream = open_job_stream(ctx);
  auto job = (*api)->post(s.collection, s.body);
  if (!job.ok()) return ctx.fail(job.status());
  std::string id = field(*job, "id");
  std::string queued = s.noun + " " + id + " queued (snapshot " + field(*job, "snapshot_id") + ")";
  if (!s.wait) {
    if (ctx.json) {
      ctx.out() << job->dump() << "\n";
    } else {
      ctx.out() << queued << "\n";
    }
    return kExitOk;
  }
  if (!ctx.json) ctx.err() << queued << "\n";
  auto done = wait_for_job(ctx, stream.get(), s.collection, id, std::chrono::seconds(s.timeout));
  if (!done.ok()) return ctx.fail(done.status());
  std::string status = field(*done, "status");
  bool held = false;
  std::string line;
  if (status == "completed") {
    std::tie(line, held) = s.outcome(*done);
  } else {
    std::string reason = failure_reason(*done);
    line = s.noun + " " + id + " " + status + (reason.empty() ? "" : ": " + reason);
  }
  if (ctx.json) {
    ctx.out() << done->dump() << "\n";
  } else if (held) {
    ctx.out() << line << "\n";
  } else {
    ctx.err() << "fortfail: " << line << "\n";
  }
  return held ? kExitOk : kExitFailed;
}

std::string result_field(const nlohmann::json& job, const char* key) {
  auto it = job.find("result");
  return it == job.end() ? "-" : field(*it, key);
}

void add_drill(CLI::App& app, Context& ctx, int* exit_code) {
  struct Opts {
    std::string snapshot, agent, target;
    bool wait = false;
    int timeout = 0;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "drill", "restore a snapshot into scratch on an agent and prove every file (restore drill)");
  auto* snap = cmd->add_option("--snapshot", o->snapshot, "the snapshot to drill");
  auto* agent =
      cmd->add_option("--agent", o->agent, "drill this agent's newest available snapshot");
  snap->excludes(agent);
  cmd->add_option("--target-agent", o->target,
                  "restore on this agent (default: the snapshot's own agent)");
  cmd->add_flag("--wait", o->wait, "wait for the drill to finish, with progress");
  cmd->add_option("--timeout", o->timeout, "give up waiting after this many seconds (0: never)");
  cmd->callback([&ctx, exit_code, o] {
    if (o->snapshot.empty() == o->agent.empty()) {
      *exit_code = ctx.fail(ValidationError("give --snapshot ID or --agent ID"));
      return;
    }
    Submit s{"drill", "/drills", nlohmann::json::object(), o->wait, o->timeout, nullptr};
    if (!o->snapshot.empty()) s.body["snapshot_id"] = o->snapshot;
    if (!o->agent.empty()) s.body["agent_id"] = o->agent;
    if (!o->target.empty()) s.body["target_agent_id"] = o->target;
    s.outcome = [](const nlohmann::json& job) {
      return std::make_pair("drill completed: snapshot " + field(job, "snapshot_id") +
                                " proven restorable on " + field(job, "target_agent_id") + " (" +
                                result_field(job, "files_verified") + " files verified, " +
                                result_field(job, "bytes_verified") + " bytes)",
                            true);
    };
    *exit_code = submit(ctx, s);
  });
}

void add_verify(CLI::App& app, Context& ctx, int* exit_code) {
  struct Opts {
    std::string snapshot, agent;
    bool read_data = true;
    int subset = 100;
    bool wait = false;
    int timeout = 0;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "verify", "re-read stored snapshots and check their checksums (all, an agent's, or one)");
  auto* snap = cmd->add_option("--snapshot", o->snapshot, "verify this snapshot only");
  auto* agent = cmd->add_option("--agent", o->agent, "verify this agent's snapshots only");
  snap->excludes(agent);
  cmd->add_flag("--read-data,!--no-read-data", o->read_data,
                "re-read and hash every object (default); --no-read-data checks presence and "
                "size only");
  cmd->add_option("--subset", o->subset, "read only this percentage of the objects (1-100)")
      ->check(CLI::Range(1, 100));
  cmd->add_flag("--wait", o->wait, "wait for the verification to finish");
  cmd->add_option("--timeout", o->timeout, "give up waiting after this many seconds (0: never)");
  cmd->callback([&ctx, exit_code, o] {
    Submit s{"verify job", "/verify-jobs", nlohmann::json::object(), o->wait, o->timeout, nullptr};
    s.body["read_data"] = o->read_data;
    s.body["subset_percent"] = o->subset;
    if (!o->snapshot.empty()) s.body["snapshot_id"] = o->snapshot;
    if (!o->agent.empty()) s.body["agent_id"] = o->agent;
    s.outcome = [](const nlohmann::json& job) {
      std::string corrupt = result_field(job, "snapshots_corrupt");
      std::string line = "verify completed: " + result_field(job, "snapshots_checked") +
                         " snapshot(s) checked, " + result_field(job, "snapshots_intact") +
                         " intact, " + corrupt + " corrupt (" + result_field(job, "bytes_read") +
                         " bytes read)";
      if (corrupt != "0") line += "; first problem: " + result_field(job, "first_problem");
      return std::make_pair(line, corrupt == "0");
    };
    *exit_code = submit(ctx, s);
  });
}

}  // namespace

void add_prove(CLI::App& app, Context& ctx, int* exit_code) {
  add_drill(app, ctx, exit_code);
  add_verify(app, ctx, exit_code);
}

}  // namespace ff::cli
