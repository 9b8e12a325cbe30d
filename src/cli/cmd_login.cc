// `fortfail login`: mints a token with a named API key (--api-key or
// FORTFAIL_API_KEY; its role) or with the operator secret (--secret,
// FORTFAIL_REG_SECRET or stdin; admin), and stores it (0600) with the URL.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/login_store.h"
#include "client/token_claims.h"

namespace ff::cli {

namespace {

std::string read_secret(Context& ctx) {
  bool tty = ::isatty(STDIN_FILENO) != 0;
  termios old{};
  if (tty) {
    ctx.err() << "operator secret: " << std::flush;
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string s;
  std::getline(std::cin, s);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    ctx.err() << "\n";
  }
  return s;
}

}  // namespace

void add_login(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand("login", "mint a token and store it (0600)");
  auto secret = std::make_shared<std::string>();
  auto api_key = std::make_shared<std::string>();
  cmd->add_option("--secret", *secret,
                  "operator secret (the registration secret where ORCH_OPERATOR_SECRET is "
                  "unset; default: FORTFAIL_REG_SECRET, else read from stdin)");
  cmd->add_option("--api-key", *api_key,
                  "a named API key instead of a secret (default: FORTFAIL_API_KEY)");
  cmd->callback([&ctx, exit_code, secret, api_key] {
    std::string key = *api_key;
    if (key.empty() && secret->empty()) key = ctx.env()("FORTFAIL_API_KEY").value_or("");
    std::string s = *secret;
    if (key.empty()) {
      if (s.empty()) s = ctx.env()("FORTFAIL_REG_SECRET").value_or("");
      if (s.empty()) s = read_secret(ctx);
      if (s.empty()) {
        *exit_code = ctx.fail(InvalidArgument("no secret or API key given"));
        return;
      }
    }
    client::ApiClient api(ctx.client_options());
    nlohmann::json body =
        key.empty() ? nlohmann::json{{"registration_secret", s}} : nlohmann::json{{"api_key", key}};
    auto r = api.post("/auth/token", body);
    if (!r.ok()) {
      Status st = r.status();
      if (st.code() == Code::kPermissionDenied) {
        st = PermissionDenied(key.empty() ? "the orchestrator refused the secret"
                                          : "the orchestrator refused the API key");
      }
      *exit_code = ctx.fail(st);
      return;
    }
    if (!r->is_object() || !r->contains("token") || !(*r)["token"].is_string()) {
      *exit_code = ctx.fail(Unavailable("token response without a token"));
      return;
    }
    StoredLogin login{api.options().base_url, (*r)["token"].get<std::string>()};
    std::string path = ctx.login_file();
    if (Status st = save_login(path, login); !st.ok()) {
      *exit_code = ctx.fail(st);
      return;
    }
    std::string until = "-";
    std::string role = "-";
    if (auto c = client::decode_claims(login.token); c.ok()) {
      if (c->expires) until = format_rfc3339(*c->expires);
      if (!c->role.empty()) role = c->role;
    }
    if (ctx.json) {
      ctx.out() << nlohmann::json{{"url", login.url},
                                  {"config", path},
                                  {"expires_at", until},
                                  {"role", role}}
                       .dump()
                << "\n";
    } else {
      ctx.out() << "Logged in to " << login.url << " as " << role << " (token valid until " << until
                << ", stored in " << path << ")\n";
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
