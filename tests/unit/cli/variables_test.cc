#include "cli/variables.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "cli/context.h"

namespace ff::cli {
namespace {

// Runs `fortfail` commands that together reach every environment lookup (the
// URL, CA and login-secret ones in `login`, the token and login-file ones in
// `agents`) through a Context that records the names asked for.
TEST(CliVariables, TableIsExactlyWhatTheCommandsRead) {
  std::set<std::string> asked;
  auto run = [&asked](std::initializer_list<const char*> args) {
    std::ostringstream out, err;
    Context ctx(
        [&asked](const std::string& name) -> std::optional<std::string> {
          asked.insert(name);
          // Port 1 refuses at once: login fails without waiting.
          if (name == "FORTFAIL_URL") return "http://127.0.0.1:1";
          if (name == "FORTFAIL_REG_SECRET") return "not-a-real-secret";
          if (name == "HOME") return ::testing::TempDir() + "/ff-no-such-home";
          return std::nullopt;
        },
        out, err);
    std::vector<const char*> argv{"fortfail"};
    argv.insert(argv.end(), args);
    return run_cli(static_cast<int>(argv.size()), argv.data(), ctx);
  };
  EXPECT_EQ(run({"login"}), kExitUnavailable);
  EXPECT_EQ(run({"agents"}), kExitAuth);
  std::set<std::string> table;
  for (const auto& v : cli_variables()) {
    EXPECT_TRUE(table.insert(std::string(v.name)).second) << "listed twice: " << v.name;
  }
  for (const auto& n : asked) EXPECT_TRUE(table.count(n)) << n << " is read but not in the table";
  for (const auto& n : table) EXPECT_TRUE(asked.count(n)) << n << " is in the table but not read";
}

}  // namespace
}  // namespace ff::cli
