// fortfail completion bash|zsh: prints a completion script generated from this
// program's own command tree (doc/completion.h).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "doc/completion.h"

namespace ff::cli {

void add_completion(CLI::App& app, Context& ctx, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "completion",
      "print a shell completion script: `source <(fortfail completion bash)`, or save "
      "`fortfail completion zsh` as _fortfail in a directory on $fpath");
  auto shell = std::make_shared<std::string>();
  cmd->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  cmd->callback([&app, &ctx, exit_code, shell] {
    ctx.out() << (*shell == "bash" ? doc::bash_completion(app) : doc::zsh_completion(app));
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
