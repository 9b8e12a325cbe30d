#include "config/variables.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "config/config.h"

namespace ff::config {
namespace {

// config::load() through a lookup that records every name asked for.
TEST(OrchestratorVariables, TableIsExactlyWhatLoadReads) {
  std::set<std::string> asked;
  auto r = load([&asked](const std::string& name) -> std::optional<std::string> {
    asked.insert(name);
    return std::nullopt;
  });
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::set<std::string> table;
  for (const auto& v : orchestrator_variables()) {
    EXPECT_TRUE(table.insert(std::string(v.name)).second) << "listed twice: " << v.name;
    EXPECT_FALSE(v.description.empty()) << v.name;
    EXPECT_FALSE(v.default_value.empty()) << v.name;
  }
  for (const auto& n : asked) EXPECT_TRUE(table.count(n)) << n << " is read but not in the table";
  for (const auto& n : table) EXPECT_TRUE(asked.count(n)) << n << " is in the table but not read";
}

// Each documented default, set explicitly, is a value load() accepts.
TEST(OrchestratorVariables, DocumentedDefaultsAreAccepted) {
  for (const auto& v : orchestrator_variables()) {
    if (v.default_value == "unset" || v.default_value == "none") continue;
    std::map<std::string, std::string> env{{std::string(v.name), std::string(v.default_value)}};
    auto r = load([&env](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    });
    EXPECT_TRUE(r.ok()) << v.name << "=" << v.default_value << ": " << r.status().message();
  }
}

}  // namespace
}  // namespace ff::config
