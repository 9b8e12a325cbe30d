// `fortfail schedule add --agent ID (--cron EXPR | --every SECONDS) [--kind K]
// [--path P]... [--keep-last N ... --keep-yearly N] [--target-agent ID]`:
// creates a schedule; the orchestrator validates it and names a bad field.
#include <CLI/CLI.hpp>

#include <array>
#include <optional>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"

namespace ff::cli {

namespace {

// The retention flags, in the order docs list them: --keep-last -> keep_last.
constexpr std::array<const char*, 6> kKeepPeriods = {"last",   "hourly",  "daily",
                                                     "weekly", "monthly", "yearly"};

struct AddOptions {
  std::string agent;
  std::string cron;
  std::optional<int64_t> every;
  std::string kind = "backup";
  std::vector<std::string> paths;
  std::array<std::optional<int64_t>, kKeepPeriods.size()> keep;
  std::string target_agent;
};

nlohmann::json request_body(const AddOptions& o) {
  nlohmann::json body{{"agent_id", o.agent}, {"kind", o.kind}};
  if (!o.cron.empty()) body["cron"] = o.cron;
  if (o.every) body["interval_seconds"] = *o.every;
  if (!o.paths.empty()) body["paths"] = o.paths;
  nlohmann::json retention = nlohmann::json::object();
  for (size_t i = 0; i < kKeepPeriods.size(); ++i) {
    if (o.keep[i]) retention[std::string("keep_") + kKeepPeriods[i]] = *o.keep[i];
  }
  if (!retention.empty()) body["retention"] = retention;
  if (!o.target_agent.empty()) body["target_agent_id"] = o.target_agent;
  return body;
}

}  // namespace

void add_schedule_add(CLI::App& parent, Context& ctx, int* exit_code) {
  auto* cmd =
      parent.add_subcommand("add", "schedule backups (or verify jobs, drills) for an agent");
  auto o = std::make_shared<AddOptions>();
  cmd->add_option("--agent", o->agent, "the agent the schedule is for")->required();
  auto* cron = cmd->add_option("--cron", o->cron,
                               "5-field cron expression in UTC, e.g. \"0 3 * * *\" (quote it)");
  auto* every = cmd->add_option("--every", o->every, "run every SECONDS (at least 10) instead");
  cron->excludes(every);
  every->excludes(cron);
  cmd->add_option("--kind", o->kind, "backup (default), verify or drill")
      ->check(CLI::IsMember({"backup", "verify", "drill"}));
  cmd->add_option("--path", o->paths, "a path to back up, repeatable (default: BACKUP_DIR)");
  for (size_t i = 0; i < kKeepPeriods.size(); ++i) {
    std::string period = kKeepPeriods[i];
    cmd->add_option("--keep-" + period, o->keep[i],
                    "retention after each successful backup: keep " +
                        (period == "last" ? std::string("the last N snapshots")
                                          : "one snapshot per " + period + " period, N of them"));
  }
  cmd->add_option("--target-agent", o->target_agent, "drills: the agent that restores");
  cmd->callback([&ctx, exit_code, o] {
    if (o->cron.empty() && !o->every) {
      *exit_code = ctx.fail(InvalidArgument("give --cron EXPR or --every SECONDS"));
      return;
    }
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->post("/schedules", request_body(*o));
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      ctx.out() << "Added schedule " << field(*r, "id") << " (" << field(*r, "kind") << " of "
                << field(*r, "agent_id") << "), next run " << field(*r, "next_run_at") << "\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
