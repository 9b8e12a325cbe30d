// The hand-written restore job view must say exactly what the nlohmann one says.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/json_text.h"
#include "api/views.h"
#include "store/detail/values.h"

namespace ff::api {
namespace {

store::JobEvent event(std::string message, std::string metadata) {
  store::JobEvent e;
  e.id = 1;
  e.job_id = "rj-1";
  e.agent_id = "a1";
  e.event_type = "restore_in_progress";
  e.message = std::move(message);
  e.metadata_json = std::move(metadata);
  e.timestamp = store::detail::from_unix_ms(1700000000123);
  return e;
}

core::RestoreJobView view(std::vector<store::JobEvent> logs, std::string target_path) {
  store::RestoreJob j;
  j.id = "rj-1";
  j.snapshot_id = "snap \"quoted\" \\ back";
  j.target_agent_id = "a1";
  j.target_path = std::move(target_path);
  j.status = "in_progress";
  j.created_at = store::detail::from_unix_ms(1700000000000);
  j.updated_at = store::detail::from_unix_ms(1700000005000);
  return core::RestoreJobView{std::move(j), std::move(logs)};
}

TEST(RestoreJobText, IsTheSameTextAsTheNlohmannView) {
  std::vector<core::RestoreJobView> cases;
  cases.push_back(view({}, ""));
  cases.push_back(view({event("plain", "{}")}, "/srv/restore"));
  cases.push_back(
      view({event("tab\there, newline\n, bell\x07, ünïcödé ✓", R"({"a":[1,2],"b":{"c":null}})"),
            event("bad utf-8 \xff\xfe end", "{\"k\":\"v\"}"), event("", "")},
           "/srv/ä b"));
  cases.push_back(view({event("not an object", "[1,2]"), event("broken", "{oops")}, "x"));
  for (const auto& v : cases) {
    std::string expected =
        restore_job_json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    EXPECT_EQ(restore_job_text(v), expected);
  }
}

TEST(JsonText, SeparatesValuesInNestedContainers) {
  JsonText t;
  t.begin_object().key("a").begin_array().string("x").null().raw("3").begin_object().end_object();
  t.end_array().key("b").string("y").end_object();
  EXPECT_EQ(t.take(), R"({"a":["x",null,3,{}],"b":"y"})");
}

}  // namespace
}  // namespace ff::api
