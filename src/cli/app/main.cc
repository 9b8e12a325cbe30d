// fortfail: the operator's command line. See docs/cli.md and `fortfail --help`.
#include <clocale>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "cli/context.h"

int main(int argc, char** argv) {
  std::setlocale(LC_ALL, "");
  ff::cli::Context ctx(
      [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        return v ? std::optional<std::string>(v) : std::nullopt;
      },
      std::cout, std::cerr);
  return ff::cli::run_cli(argc, argv, ctx);
}
