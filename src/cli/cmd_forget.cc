// `fortfail forget [--agent ID] --keep-last N ... [--dry-run]`: applies a
// retention policy now (POST /prune, operators; docs/retention.md) and lists,
// per agent, what is kept with its reasons and what is (or would be) removed.
#include <CLI/CLI.hpp>

#include <array>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"

namespace ff::cli {

namespace {

// The keep_* rules as flags (--keep-last sets "keep_last") and the periods
// their help names.
struct Rule {
  const char* name;
  const char* period;
};
constexpr std::array<Rule, 6> kRules{{{"last", ""},
                                      {"hourly", "hours"},
                                      {"daily", "days"},
                                      {"weekly", "ISO weeks"},
                                      {"monthly", "months"},
                                      {"yearly", "years"}}};

std::string joined(const nlohmann::json& reasons) {
  std::string out;
  for (const auto& r : reasons) {
    if (!out.empty()) out += ", ";
    out += cell(r);
  }
  return out;
}

void print_report(std::ostream& out, const nlohmann::json& r) {
  bool dry_run = r.value("dry_run", false);
  const char* removed_verb = dry_run ? "would remove" : "removed";
  for (const auto& a : r.value("agents", nlohmann::json::array())) {
    const auto kept = a.value("kept", nlohmann::json::array());
    const auto removed = a.value("removed", nlohmann::json::array());
    out << "agent " << field(a, "agent_id") << ": keep " << kept.size() << ", " << removed_verb
        << " " << removed.size() << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : kept) {
      rows.push_back({"keep", field(s, "id"), field(s, "created_at"), joined(s["reasons"])});
    }
    for (const auto& s : removed) {
      rows.push_back({removed_verb, field(s, "id"), field(s, "created_at"), ""});
    }
    if (!rows.empty()) out << render_table({"ACTION", "SNAPSHOT", "CREATED", "REASONS"}, rows);
  }
  out << "Total: kept " << field(r, "kept_count") << ", " << removed_verb << " "
      << field(r, "removed_count");
  if (dry_run) out << " (dry run: nothing was deleted)";
  out << "\n";
}

}  // namespace

void add_forget(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "forget", "delete the snapshots a retention policy does not keep (restic forget rules)");
  auto agent = std::make_shared<std::string>();
  auto values = std::make_shared<std::array<int64_t, kRules.size()>>();
  auto dry_run = std::make_shared<bool>(false);
  std::array<CLI::Option*, kRules.size()> options{};
  cmd->add_option("--agent", *agent, "only this agent's snapshots (default: every agent)");
  for (size_t i = 0; i < kRules.size(); ++i) {
    const Rule& rule = kRules[i];
    options[i] = cmd->add_option(std::string("--keep-") + rule.name, (*values)[i],
                                 i == 0 ? std::string("keep the N newest snapshots")
                                        : std::string("keep the newest snapshot of each of the N "
                                                      "latest ") +
                                              rule.period + " (UTC) that have one")
                     ->check(CLI::NonNegativeNumber);
  }
  cmd->add_flag("--dry-run", *dry_run, "only list what would be removed");
  cmd->callback([&ctx, exit_code, agent, values, dry_run, options] {
    nlohmann::json retention = nlohmann::json::object();
    for (size_t i = 0; i < kRules.size(); ++i) {
      if (options[i]->count() > 0) retention[std::string("keep_") + kRules[i].name] = (*values)[i];
    }
    nlohmann::json body = {{"retention", retention}, {"dry_run", *dry_run}};
    if (!agent->empty()) body["agent_id"] = *agent;
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->post("/prune", body);
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      print_report(ctx.out(), *r);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
