// `fortfail wal verify PATH`: checks a WAL file's hash chain. Uses the WAL
// verifier linked in when src/wal provides it, else runs
// `fortfail-orchestrator wal verify PATH` found beside this binary.
#include <limits.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>

#include "cli/commands.h"
#include "cli/context.h"
#ifdef FF_HAVE_WAL_VERIFIER
#include "wal/verifier.h"
#endif

namespace ff::cli {

namespace {

int verify(Context& ctx, const std::string& path) {
#ifdef FF_HAVE_WAL_VERIFIER
  return ff::wal::run_verify_command(path, ctx.out(), ctx.err());
#else
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  std::string dir =
      n > 0
          ? std::filesystem::path(std::string(self, static_cast<size_t>(n))).parent_path().string()
          : ".";
  std::string orch = dir + "/fortfail-orchestrator";
  if (::access(orch.c_str(), X_OK) != 0) {
    return ctx.fail(
        Unavailable("wal verify needs fortfail-orchestrator next to fortfail (" + orch + ")"));
  }
  ctx.out().flush();
  const char* args[] = {orch.c_str(), "wal", "verify", path.c_str(), nullptr};
  ::execv(orch.c_str(), const_cast<char* const*>(args));
  return ctx.fail(Internal("cannot run " + orch));
#endif
}

}  // namespace

void add_wal(CLI::App& app, Context& ctx, int* exit_code) {
  auto* wal = app.add_subcommand("wal", "write-ahead log tools");
  wal->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  auto* v = wal->add_subcommand("verify", "check a WAL file's hash chain; exit 0 only when intact");
  v->add_option("PATH", *path, "WAL file")->required();
  v->callback([&ctx, exit_code, path] { *exit_code = verify(ctx, *path); });
}

}  // namespace ff::cli
