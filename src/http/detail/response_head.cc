#include "http/detail/response_head.h"

#include <algorithm>
#include <charconv>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

namespace ff::http::detail {

namespace {

bool overridden(const api::Response& r, std::string_view name) {
  return std::any_of(r.headers.begin(), r.headers.end(),
                     [&](const auto& h) { return boost::beast::iequals(h.first, name); });
}

void field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void fixed_field(std::string& out, const api::Response& r, std::string_view name,
                 std::string_view value) {
  if (!r.headers.empty() && overridden(r, name)) return;
  field(out, name, value);
}

void append_number(std::string& out, uint64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

}  // namespace

std::optional<uint64_t> content_length_for(int status, uint64_t size) {
  if (status == 204 || status == 304 || (status >= 100 && status < 200)) return std::nullopt;
  return size;
}

void append_response_head(std::string& out, const api::Response& r, const HeadFields& f) {
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<uint64_t>(r.status));
  out.push_back(' ');
  auto reason = boost::beast::http::obsolete_reason(
      static_cast<boost::beast::http::status>(static_cast<unsigned>(r.status)));
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  fixed_field(out, r, "Server", "fortfail-orchestrator");
  fixed_field(out, r, "X-Request-Id", f.request_id);
  if (!r.content_type.empty()) fixed_field(out, r, "Content-Type", r.content_type);
  fixed_field(out, r, "X-Content-Type-Options", "nosniff");
  fixed_field(out, r, "Referrer-Policy", "no-referrer");
  if (f.hsts) fixed_field(out, r, "Strict-Transport-Security", kHstsValue);
  if (!f.cors_origin.empty()) {
    fixed_field(out, r, "Access-Control-Allow-Origin", f.cors_origin);
    fixed_field(out, r, "Vary", "Origin");
    fixed_field(out, r, "Access-Control-Expose-Headers",
                "X-Total-Count, X-Request-Id, Retry-After, ETag, Content-Range");
  }
  for (const auto& [name, value] : r.headers) field(out, name, value);
  if (f.content_length) {
    out.append("Content-Length: ");
    append_number(out, *f.content_length);
    out.append("\r\n");
  }
  if (!f.keep_alive) out.append("Connection: close\r\n");
  out.append("\r\n");
}

}  // namespace ff::http::detail
