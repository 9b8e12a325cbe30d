#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/variables.h"
#include "doc/manpage.h"

namespace ff::cli {

namespace {

constexpr char kSummary[] =
    "operate a FortFail orchestrator: agents, snapshots, backups, restores, events; create "
    "repository keys.";

// Thrown by --man's callback, which runs before the subcommand requirement is checked.
struct ManRequested {};

}  // namespace

int run_cli(int argc, const char* const* argv, Context& ctx) {
  CLI::App app{std::string("fortfail: ") + kSummary, "fortfail"};
  app.footer(doc::render_variables(cli_variables()));
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
  add_cancel(app, ctx, &exit_code);
  add_events(app, ctx, &exit_code);
  add_wal(app, ctx, &exit_code);
  add_gc(app, ctx, &exit_code);
  add_prove(app, ctx, &exit_code);
  add_forget(app, ctx, &exit_code);
  add_key(app, ctx, &exit_code);
  add_api_key(app, ctx, &exit_code);
  add_webhook(app, ctx, &exit_code);
  add_schedule(app, ctx, &exit_code);
  add_agent(app, ctx, &exit_code);
  add_completion(app, ctx, &exit_code);
  app.add_flag_callback(
      "--man", [] { throw ManRequested{}; }, "print the manual page (roff) and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    ctx.out() << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    ctx.out() << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const ManRequested&) {
    doc::ManPage page;
    page.name = "fortfail";
    page.summary = kSummary;
    page.description =
        "The operator's command line for a FortFail orchestrator. It logs in once\n"
        "(`fortfail login`, the token is stored with mode 0600) and then lists, backs up,\n"
        "restores and follows events. --json prints machine-readable output.\n"
        "\n"
        "Exit codes: 0 success; 1 the operation failed; 2 usage or invalid input; 3 not\n"
        "logged in or not authorized; 4 not found; 5 orchestrator unreachable.";
    page.app = &app;
    page.variables = cli_variables();
    ctx.out() << doc::render_man(page);
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
