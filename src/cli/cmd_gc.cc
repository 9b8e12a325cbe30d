// `fortfail gc [--grace SECONDS] [--dry-run]`: deletes the packs no snapshot
// references and no running backup holds (POST /repository/gc, admin).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"

namespace ff::cli {

void add_gc(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("gc", "delete packs that no snapshot references");
  auto grace = std::make_shared<int64_t>(86400);
  auto dry_run = std::make_shared<bool>(false);
  cmd->add_option("--grace", *grace,
                  "spare packs younger than SECONDS (default 86400; 0: every unreferenced pack "
                  "not held by a running backup)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--dry-run", *dry_run, "only count what would be deleted");
  cmd->callback([&ctx, exit_code, grace, dry_run] {
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->post("/repository/gc", {{"grace_seconds", *grace}, {"dry_run", *dry_run}});
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      int64_t freed = r->value("bytes_freed", int64_t{0});
      ctx.out() << (*dry_run ? "Would delete " : "Deleted ") << field(*r, "packs_deleted")
                << " packs, " << human_bytes(static_cast<uint64_t>(freed)) << " (" << freed
                << " bytes) " << (*dry_run ? "to free" : "freed") << "; kept "
                << field(*r, "packs_kept_held") << " held by running backups and "
                << field(*r, "packs_kept_young") << " younger than " << *grace << " s\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
