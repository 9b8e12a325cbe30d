#include "http/detail/request_builder.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace ff::http::detail {

namespace {

// A plain path: '/' then path characters only, no '%' escapes, no query. Its
// decoded form is itself, so it needs no URL parser (most API requests).
bool is_plain_path(std::string_view target) {
  if (target.empty() || target[0] != '/') return false;
  for (char c : target) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '-' || c == '.' || c == '_' || c == '~';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status parse_target(std::string_view target, api::Request* req) {
  if (is_plain_path(target)) {
    req->path = std::string(target);
    req->query.clear();
    return OkStatus();
  }
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return InvalidArgument("malformed request target");
  const boost::urls::url_view& u = *parsed;
  req->path = std::string(u.path());
  if (req->path.find('\0') != std::string::npos) return InvalidArgument("malformed request path");
  req->query.clear();
  for (auto p : u.params()) {
    req->query.emplace_back(std::string(p.key), std::string(p.value));
  }
  return OkStatus();
}

}  // namespace ff::http::detail
