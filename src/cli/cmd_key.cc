// `fortfail key generate --out FILE`: creates a repository key (docs/repository-
// format.md "Key file"). Purely local: no orchestrator is contacted, and the
// key never leaves the file it is written to (only its public id is printed).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "repo/key.h"
#include "sys/clock.h"
#include "sys/random.h"

namespace ff::cli {

namespace {

int generate(Context& ctx, const std::string& out) {
  repo::RepositoryKey key = repo::generate_key(sys::secure_random());
  Status written = repo::write_key_file(out, key, sys::system_clock().now());
  if (!written.ok()) return ctx.fail(written);
  if (ctx.json) {
    ctx.out() << nlohmann::json{{"key_id", key.key_id}, {"path", out}}.dump() << "\n";
  } else {
    ctx.out() << "key id: " << key.key_id << "\nwrote " << out << " (mode 0600)\n";
  }
  ctx.err() << "warning: keep " << out
            << " safe and backed up elsewhere: losing it loses every backup encrypted with it, "
               "and anyone holding it can read them\n";
  return kExitOk;
}

}  // namespace

void add_key(CLI::App& app, Context& ctx, int* exit_code) {
  auto* key = app.add_subcommand("key", "repository keys (encryption of repository snapshots)");
  key->require_subcommand(1);
  auto out = std::make_shared<std::string>();
  auto* gen = key->add_subcommand(
      "generate", "create a new repository key file (mode 0600); never overwrites a file");
  gen->add_option("--out", *out, "where to write the key file")->required();
  gen->callback([&ctx, exit_code, out] { *exit_code = generate(ctx, *out); });
}

}  // namespace ff::cli
