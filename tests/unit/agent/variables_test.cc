#include "agent/variables.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "agent/config.h"

namespace ff::agent {
namespace {

// parse_agent_config() through a lookup that records every name asked for.
TEST(AgentVariables, TableIsExactlyWhatTheConfigReads) {
  std::set<std::string> asked;
  const char* argv[] = {"fortfail-agent"};
  ParseOutcome outcome;
  auto r = parse_agent_config(
      1, argv,
      [&asked](const std::string& name) -> std::optional<std::string> {
        asked.insert(name);
        return std::nullopt;
      },
      &outcome);
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::set<std::string> table;
  for (const auto& v : agent_variables()) {
    EXPECT_TRUE(table.insert(std::string(v.name)).second) << "listed twice: " << v.name;
    EXPECT_FALSE(v.description.empty()) << v.name;
    EXPECT_FALSE(v.default_value.empty()) << v.name;
  }
  for (const auto& n : asked) EXPECT_TRUE(table.count(n)) << n << " is read but not in the table";
  for (const auto& n : table) EXPECT_TRUE(asked.count(n)) << n << " is in the table but not read";
}

TEST(AgentVariables, HelpShowsEveryVariableAndDefaultsButNoSecret) {
  const char* argv[] = {"fortfail-agent", "--help"};
  ParseOutcome outcome;
  auto r = parse_agent_config(
      2, argv,
      [](const std::string& name) -> std::optional<std::string> {
        if (name == "AGENT_REG_SECRET") return "s3cr3t-value";
        return std::nullopt;
      },
      &outcome);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(outcome.exit_early);
  for (const auto& v : agent_variables()) {
    EXPECT_NE(outcome.message.find(std::string(v.name)), std::string::npos) << v.name;
  }
  EXPECT_NE(outcome.message.find("http://127.0.0.1:8000"), std::string::npos);
  EXPECT_EQ(outcome.message.find("s3cr3t-value"), std::string::npos);
}

}  // namespace
}  // namespace ff::agent
