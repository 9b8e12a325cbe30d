// `fortfail cancel JOB_ID [--kind restore|backup|drill|verify]`: cancels a pending or
// running job. Without --kind the job is looked up in both collections.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/job_lookup.h"
#include "common/ids.h"

namespace ff::cli {

void add_cancel(CLI::App& app, Context& ctx, int* exit_code) {
  auto id = std::make_shared<std::string>();
  auto kind = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "cancel", "cancel a pending or running job (restore, backup, drill or verify)");
  cmd->add_option("JOB_ID", *id, "job id")->required();
  cmd->add_option("--kind", *kind, "restore | backup | drill | verify (default: found by id)")
      ->check(CLI::IsMember({"restore", "backup", "drill", "verify"}));
  cmd->callback([&ctx, exit_code, id, kind] {
    if (Status v = validate_id("JOB_ID", *id); !v.ok()) {
      *exit_code = ctx.fail(v);
      return;
    }
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    std::string k = *kind;
    if (k.empty()) {
      auto found = find_job(**api, *id);
      if (!found.ok()) {
        *exit_code = ctx.fail(found.status());
        return;
      }
      k = found->kind;
    }
    auto r = (*api)->post(job_collection(k) + "/" + *id + "/cancel", nlohmann::json::object());
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status().with_context(k + " job " + *id));
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else if (field(*r, "agent_notified") == "withdrawn") {
      ctx.out() << k << " job " << *id << " cancelled (was " << field(*r, "previous_status")
                << "); its command was withdrawn before the agent received it\n";
    } else {
      ctx.out() << k << " job " << *id << " cancelled (was " << field(*r, "previous_status")
                << "); agent "
                << (r->contains("target_agent_id") ? field(*r, "target_agent_id")
                                                   : field(*r, "agent_id"))
                << " stops it at its next event\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
