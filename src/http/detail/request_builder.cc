#include "http/detail/request_builder.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace ff::http::detail {

Status parse_target(std::string_view target, api::Request* req) {
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
