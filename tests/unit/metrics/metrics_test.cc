#include <gtest/gtest.h>

#include <limits>
#include <sstream>

#include "metrics/http_metrics.h"
#include "metrics/instruments.h"
#include "metrics/metrics.h"
#include "metrics/text_format.h"

namespace ff::metrics {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(TextFormat, EscapesLabelValues) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_label_value("plain"), "plain");
}

TEST(TextFormat, EscapesHelpButKeepsQuotes) {
  EXPECT_EQ(escape_help("say \"hi\"\\\n"), "say \"hi\"\\\\\\n");
}

TEST(TextFormat, FormatsValues) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(TextFormat, WritesFamilyHeaderAndLabelledSample) {
  TextWriter w;
  w.family("x_total", "Things.\nMore", TextWriter::Type::kCounter);
  w.sample("x_total", {{"a", "1"}, {"b", "q\"uote"}}, 7);
  EXPECT_EQ(w.text(),
            "# HELP x_total Things.\\nMore\n# TYPE x_total counter\n"
            "x_total{a=\"1\",b=\"q\\\"uote\"} 7\n");
}

TEST(Histogram, BucketsAreCumulativeWithInfSumAndCount) {
  Histogram h({0.5, 1});
  h.observe(0.25);
  h.observe(0.5);  // inclusive upper bound
  h.observe(0.75);
  h.observe(3);
  TextWriter w;
  w.histogram("h_seconds", {{"k", "v"}}, h.data());
  EXPECT_EQ(lines_of(w.text()), (std::vector<std::string>{
                                    "h_seconds_bucket{k=\"v\",le=\"0.5\"} 2",
                                    "h_seconds_bucket{k=\"v\",le=\"1\"} 3",
                                    "h_seconds_bucket{k=\"v\",le=\"+Inf\"} 4",
                                    "h_seconds_sum{k=\"v\"} 4.5",
                                    "h_seconds_count{k=\"v\"} 4",
                                }));
}

TEST(Histogram, UnlabelledBucketsCarryOnlyLe) {
  Histogram h({1});
  TextWriter w;
  w.histogram("h", {}, h.data());
  EXPECT_EQ(lines_of(w.text())[0], "h_bucket{le=\"1\"} 0");
  EXPECT_EQ(lines_of(w.text())[2], "h_sum 0");
}

TEST(HttpMetrics, CountsByRouteAndStatusAndFoldsExtraStatuses) {
  HttpMetrics m;
  m.set_routes({{"GET", "/snapshots/{id}"}});
  m.observe(0, 200, 0.001);
  m.observe(0, 200, 0.002);
  m.observe(0, 404, 0.001);
  m.observe(HttpMetrics::kUnmatched, 404, 0.001);
  for (int s = 0; s < 20; ++s) m.observe(0, 500 + s, 0.001);
  TextWriter w;
  m.write(w);
  const std::string& t = w.text();
  EXPECT_NE(t.find("fortfail_http_requests_total{method=\"GET\",route=\"/snapshots/{id}\","
                   "status=\"200\"} 2\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("status=\"404\"} 1\n"), std::string::npos);
  EXPECT_NE(t.find("{method=\"\",route=\"(unmatched)\",status=\"404\"} 1\n"), std::string::npos);
  // 12 slots: 200, 404 and ten 5xx; the other ten statuses fold into "other".
  EXPECT_NE(t.find("status=\"other\"} 10\n"), std::string::npos) << t;
}

TEST(Metrics, DatabaseGaugesAreCachedForTheTtl) {
  auto now = std::chrono::steady_clock::time_point{};
  Metrics m([&] { return now; }, std::chrono::seconds(2));
  int calls = 0;
  m.set_database_collector([&](TextWriter& w) {
    ++calls;
    w.sample("db_gauge", {}, calls);
    return true;
  });
  EXPECT_NE(m.render().find("db_gauge 1\n"), std::string::npos);
  now += std::chrono::seconds(1);
  EXPECT_NE(m.render().find("db_gauge 1\n"), std::string::npos);
  now += std::chrono::seconds(1);
  EXPECT_NE(m.render().find("db_gauge 2\n"), std::string::npos);
  EXPECT_EQ(calls, 2);
}

TEST(Metrics, FailedCollectorServesLastGoodTextAndCounts) {
  auto now = std::chrono::steady_clock::time_point{};
  Metrics m([&] { return now; }, std::chrono::seconds(2));
  bool ok = true;
  m.set_database_collector([&](TextWriter& w) {
    w.sample("db_gauge", {}, 5);
    return ok;
  });
  m.render();
  ok = false;
  now += std::chrono::seconds(3);
  std::string t = m.render();
  EXPECT_NE(t.find("db_gauge 5\n"), std::string::npos);
  EXPECT_NE(t.find("fortfail_metrics_collector_errors_total 1\n"), std::string::npos);
}

TEST(Metrics, RendersEveryProcessFamily) {
  Metrics m([] { return std::chrono::steady_clock::time_point{}; });
  m.wal_records.inc(3);
  m.store_error(StoreOp::kStat);
  std::string t = m.render();
  for (const char* f :
       {"fortfail_wal_append_duration_seconds", "fortfail_wal_fsync_duration_seconds",
        "fortfail_websocket_clients", "fortfail_websocket_dropped_messages_total"}) {
    EXPECT_NE(t.find(std::string("# TYPE ") + f), std::string::npos) << f;
  }
  EXPECT_NE(t.find("fortfail_wal_records_written_total 3\n"), std::string::npos);
  EXPECT_NE(t.find("fortfail_alerts_dropped_total 0\n"), std::string::npos);
  m.set_alerts_dropped([] { return uint64_t{7}; });
  EXPECT_NE(m.render().find("fortfail_alerts_dropped_total 7\n"), std::string::npos);
  EXPECT_NE(t.find("fortfail_object_store_errors_total{operation=\"stat\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace ff::metrics
