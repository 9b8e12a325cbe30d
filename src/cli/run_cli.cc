#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"

namespace ff::cli {

int run_cli(int argc, const char* const* argv, Context& ctx) {
  CLI::App app{
      "fortfail: operate a FortFail orchestrator: agents, snapshots, backups, restores, "
      "events; create repository keys.",
      "fortfail"};
  app.set_version_flag("--version", std::string("fortfail ") + FF_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--url", ctx.url_flag,
                 "orchestrator URL (default: FORTFAIL_URL, the login's, "
                 "http://127.0.0.1:8000)");
  app.add_flag("--json", ctx.json, "machine-readable JSON output");
  app.add_option("--ca-file", ctx.ca_file, "CA bundle for https (default: FORTFAIL_CA_FILE)");
  app.add_flag("--insecure", ctx.insecure, "skip TLS certificate checks (development only)");
  app.add_option("--config", ctx.config_flag,
                 "login file (default: FORTFAIL_CONFIG or ~/.config/fortfail/token)");
  int exit_code = kExitOk;
  add_login(app, ctx, &exit_code);
  add_agents(app, ctx, &exit_code);
  add_snapshots(app, ctx, &exit_code);
  add_backup(app, ctx, &exit_code);
  add_restore(app, ctx, &exit_code);
  add_jobs(app, ctx, &exit_code);
  add_events(app, ctx, &exit_code);
  add_wal(app, ctx, &exit_code);
  add_gc(app, ctx, &exit_code);
  add_key(app, ctx, &exit_code);
  add_api_key(app, ctx, &exit_code);
  add_webhook(app, ctx, &exit_code);
  add_agent(app, ctx, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    ctx.out() << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    ctx.out() << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    ctx.out() << "fortfail " << FF_VERSION << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    ctx.err() << "fortfail: " << e.what() << "\n";
    if (auto* sub = app.get_subcommands().empty() ? nullptr : app.get_subcommands().front()) {
      ctx.err() << "usage: see `fortfail " << sub->get_name() << " --help`\n";
    } else {
      ctx.err() << "usage: see `fortfail --help`\n";
    }
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace ff::cli
