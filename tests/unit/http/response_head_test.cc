#include "http/detail/response_head.h"

#include <gtest/gtest.h>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace ff::http::detail {
namespace {

namespace bhttp = boost::beast::http;

HeadFields fields(std::optional<uint64_t> length, bool keep_alive = true,
                  std::string_view origin = "") {
  HeadFields f;
  f.request_id = "ab12-7";
  f.cors_origin = origin;
  f.keep_alive = keep_alive;
  f.content_length = length;
  return f;
}

// Parses head + body with Beast's response parser, an independent reader.
bhttp::response<bhttp::string_body> parse(const std::string& head, const std::string& body) {
  bhttp::response_parser<bhttp::string_body> p;
  p.eager(true);
  boost::beast::error_code ec;
  std::string wire = head + body;
  size_t used = p.put(boost::asio::buffer(wire), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(used, wire.size());
  EXPECT_TRUE(p.is_done());
  return p.release();
}

TEST(ResponseHead, JsonAnswerIsAValidHttpResponse) {
  api::Response r = api::Response::json(200, R"({"id":"j1"})");
  std::string head;
  append_response_head(head, r, fields(content_length_for(200, r.body.size())));
  EXPECT_EQ(head,
            "HTTP/1.1 200 OK\r\n"
            "Server: fortfail-orchestrator\r\n"
            "X-Request-Id: ab12-7\r\n"
            "Content-Type: application/json\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Referrer-Policy: no-referrer\r\n"
            "Content-Length: 11\r\n"
            "\r\n");
  auto m = parse(head, r.body);
  EXPECT_EQ(m.result_int(), 200u);
  EXPECT_EQ(m.body(), R"({"id":"j1"})");
  EXPECT_TRUE(m.keep_alive());
}

TEST(ResponseHead, CloseAndCorsAndOwnFields) {
  api::Response r = api::Response::json(429, R"({"detail":"slow down"})");
  r.add_header("Retry-After", "3");
  std::string head;
  append_response_head(head, r,
                       fields(content_length_for(429, r.body.size()), false, "https://ui.example"));
  auto m = parse(head, r.body);
  EXPECT_EQ(m.result_int(), 429u);
  EXPECT_EQ(m.reason(), "Too Many Requests");
  EXPECT_FALSE(m.keep_alive());
  EXPECT_EQ(m["Retry-After"], "3");
  EXPECT_EQ(m["Access-Control-Allow-Origin"], "https://ui.example");
  EXPECT_EQ(m["Vary"], "Origin");
  EXPECT_EQ(m["X-Request-Id"], "ab12-7");
}

TEST(ResponseHead, StrictTransportSecurityOnlyWhenServedOverHttps) {
  api::Response r = api::Response::json(200, "{}");
  std::string plain;
  append_response_head(plain, r, fields(2));
  EXPECT_EQ(parse(plain, r.body).count("Strict-Transport-Security"), 0u);
  HeadFields f = fields(2);
  f.hsts = true;
  std::string https;
  append_response_head(https, r, f);
  EXPECT_EQ(parse(https, r.body)["Strict-Transport-Security"], "max-age=31536000");
}

TEST(ResponseHead, ResponseFieldReplacesFixedFieldOfTheSameName) {
  api::Response r = api::Response::json(200, "{}");
  r.add_header("x-content-type-options", "nosniff");
  r.add_header("Server", "custom");
  std::string head;
  append_response_head(head, r, fields(2));
  auto m = parse(head, r.body);
  EXPECT_EQ(m.count("X-Content-Type-Options"), 1u);
  EXPECT_EQ(m.count("Server"), 1u);
  EXPECT_EQ(m["Server"], "custom");
}

TEST(ResponseHead, NoContentLengthWhereTheStatusForbidsABody) {
  EXPECT_EQ(content_length_for(204, 0), std::nullopt);
  EXPECT_EQ(content_length_for(304, 10), std::nullopt);
  EXPECT_EQ(content_length_for(101, 0), std::nullopt);
  EXPECT_EQ(content_length_for(200, 0), std::optional<uint64_t>(0));
  api::Response r;
  r.status = 204;
  r.content_type.clear();
  std::string head;
  append_response_head(head, r, fields(content_length_for(204, 0)));
  EXPECT_EQ(head.find("\r\nContent-Length:"), std::string::npos);
  EXPECT_EQ(head.find("\r\nContent-Type:"), std::string::npos);
  EXPECT_EQ(head.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u);
}

TEST(ResponseHead, AppendsToWhatIsAlreadyInTheBuffer) {
  api::Response r = api::Response::json(404, "{}");
  std::string head = "kept";
  append_response_head(head, r, fields(2));
  EXPECT_EQ(head.rfind("keptHTTP/1.1 404 Not Found\r\n", 0), 0u);
}

}  // namespace
}  // namespace ff::http::detail
