// `fortfail backup AGENT [--path P]... [--wait]`: asks an agent for a backup
// (POST /backup-jobs); --wait follows it and prints the snapshot id.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/job_wait.h"
#include "common/ids.h"

namespace ff::cli {

void add_backup(CLI::App& app, Context& ctx, int* exit_code) {
  struct Opts {
    std::string agent;
    std::vector<std::string> paths;
    bool wait = false;
    int timeout = 0;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("backup", "ask an agent to back up now");
  cmd->add_option("AGENT", o->agent, "agent id")->required();
  cmd->add_option("--path", o->paths, "only this path below the agent's BACKUP_DIR (repeatable)");
  cmd->add_flag("--wait", o->wait, "wait for the backup to finish, with progress");
  cmd->add_option("--timeout", o->timeout, "give up waiting after this many seconds (0: never)");
  cmd->callback([&ctx, exit_code, o] {
    if (Status v = validate_id("AGENT", o->agent); !v.ok()) {
      *exit_code = ctx.fail(v);
      return;
    }
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    std::unique_ptr<client::EventStream> stream;
    if (o->wait) stream = open_job_stream(ctx);
    nlohmann::json body = {{"agent_id", o->agent}};
    if (!o->paths.empty()) body["paths"] = o->paths;
    auto job = (*api)->post("/backup-jobs", body);
    if (!job.ok()) {
      *exit_code = ctx.fail(job.status());
      return;
    }
    std::string id = field(*job, "id");
    if (!o->wait) {
      if (ctx.json) {
        ctx.out() << job->dump() << "\n";
      } else {
        ctx.out() << "backup job " << id << " queued for agent " << o->agent << "\n";
      }
      *exit_code = kExitOk;
      return;
    }
    if (!ctx.json) ctx.err() << "backup job " << id << " queued for agent " << o->agent << "\n";
    auto final_job =
        wait_for_job(ctx, stream.get(), "/backup-jobs", id, std::chrono::seconds(o->timeout));
    if (!final_job.ok()) {
      *exit_code = ctx.fail(final_job.status());
      return;
    }
    std::string status = field(*final_job, "status");
    if (ctx.json) {
      ctx.out() << final_job->dump() << "\n";
    } else if (status == "completed") {
      ctx.out() << "backup completed: snapshot " << field(*final_job, "snapshot_id") << "\n";
    } else {
      std::string reason = failure_reason(*final_job);
      ctx.err() << "fortfail: backup job " << id << " " << status
                << (reason.empty() ? "" : ": " + reason) << "\n";
    }
    *exit_code = status == "completed" ? kExitOk : kExitFailed;
  });
}

}  // namespace ff::cli
