// `fortfail restore SNAPSHOT --to AGENT [--path P] [--wait]`: POST /restore-jobs;
// --wait shows a live progress bar and exits 0 only when the job completed.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/job_wait.h"
#include "common/ids.h"

namespace ff::cli {

void add_restore(CLI::App& app, Context& ctx, int* exit_code) {
  struct Opts {
    std::string snapshot;
    std::string agent;
    std::string path;
    bool wait = false;
    int timeout = 0;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("restore", "restore a snapshot onto an agent");
  cmd->add_option("SNAPSHOT", o->snapshot, "snapshot id")->required();
  cmd->add_option("--to", o->agent, "target agent id")->required();
  cmd->add_option("--path", o->path,
                  "target directory on the agent (default: RESTORE_DIR/<snapshot>)");
  cmd->add_flag("--wait", o->wait, "wait for the restore to finish, with a progress bar");
  cmd->add_option("--timeout", o->timeout, "give up waiting after this many seconds (0: never)");
  cmd->callback([&ctx, exit_code, o] {
    for (auto [name, v] : {std::pair{"SNAPSHOT", &o->snapshot}, std::pair{"--to", &o->agent}}) {
      if (Status s = validate_id(name, *v); !s.ok()) {
        *exit_code = ctx.fail(s);
        return;
      }
    }
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    std::unique_ptr<client::EventStream> stream;
    if (o->wait) stream = open_job_stream(ctx);
    nlohmann::json body = {{"snapshot_id", o->snapshot}, {"target_agent_id", o->agent}};
    if (!o->path.empty()) body["target_path"] = o->path;
    auto job = (*api)->post("/restore-jobs", body);
    if (!job.ok()) {
      *exit_code = ctx.fail(job.status());
      return;
    }
    std::string id = field(*job, "id");
    if (!o->wait) {
      if (ctx.json) {
        ctx.out() << job->dump() << "\n";
      } else {
        ctx.out() << "restore job " << id << " queued: snapshot " << o->snapshot << " -> agent "
                  << o->agent << "\n";
      }
      *exit_code = kExitOk;
      return;
    }
    if (!ctx.json) {
      ctx.err() << "restore job " << id << ": snapshot " << o->snapshot << " -> agent " << o->agent
                << "\n";
    }
    auto final_job =
        wait_for_job(ctx, stream.get(), "/restore-jobs", id, std::chrono::seconds(o->timeout));
    if (!final_job.ok()) {
      *exit_code = ctx.fail(final_job.status());
      return;
    }
    std::string status = field(*final_job, "status");
    if (ctx.json) {
      ctx.out() << final_job->dump() << "\n";
    } else if (status == "completed") {
      ctx.out() << "restore completed (job " << id << ")\n";
    } else {
      std::string why = failure_reason(*final_job);
      ctx.err() << "fortfail: restore job " << id << " " << status
                << (why.empty() ? "" : ": " + why) << "\n";
    }
    *exit_code = status == "completed" ? kExitOk : kExitFailed;
  });
}

}  // namespace ff::cli
