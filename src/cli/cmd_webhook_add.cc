// `fortfail webhook add URL --event NAME... [--secret-file FILE]`: registers
// a webhook. The signing secret comes from a file (never the command line,
// which other users may read); without one a random secret is generated and
// printed once.
#include <CLI/CLI.hpp>

#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "common/base64.h"
#include "sys/random.h"

namespace ff::cli {

namespace {

Result<std::string> read_secret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("--secret-file: cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  std::string secret = s.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

}  // namespace

void add_webhook_add(CLI::App& parent, Context& ctx, int* exit_code) {
  auto* cmd = parent.add_subcommand("add", "register a webhook for alert events");
  auto url = std::make_shared<std::string>();
  auto events = std::make_shared<std::vector<std::string>>();
  auto secret_file = std::make_shared<std::string>();
  cmd->add_option("url", *url, "where deliveries are POSTed (http:// or https://)")->required();
  cmd->add_option("--event,-e", *events,
                  "an event to deliver, repeatable: job.failed, snapshot.corrupt, "
                  "agent.offline, backup.missed, drill.failed")
      ->required();
  cmd->add_option("--secret-file", *secret_file,
                  "file holding the signing secret (16 to 256 characters); default: generate "
                  "one and print it once");
  cmd->callback([&ctx, exit_code, url, events, secret_file] {
    std::string secret;
    bool generated = secret_file->empty();
    if (generated) {
      secret = "whs_" + base64url_encode(sys::secure_random().bytes(32));
    } else {
      auto read = read_secret(*secret_file);
      if (!read.ok()) {
        *exit_code = ctx.fail(read.status());
        return;
      }
      secret = std::move(*read);
    }
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->post("/webhooks",
                          nlohmann::json{{"url", *url}, {"events", *events}, {"secret", secret}});
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      nlohmann::json out = *r;
      if (generated) out["secret"] = secret;
      ctx.out() << out.dump() << "\n";
    } else {
      ctx.out() << "Added webhook " << field(*r, "id") << " for " << field(*r, "url") << "\n";
      if (generated) {
        ctx.out() << "Signing secret (shown once; receivers check X-FortFail-Signature with it):\n"
                  << secret << "\n";
      }
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
