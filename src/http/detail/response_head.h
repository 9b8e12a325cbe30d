// The status line and header fields of a response, serialised by hand into
// one buffer the session reuses: Beast's serializer walks a buffers_cat_view
// of every field and allocates a node per field, which on small JSON answers
// cost more than the database read. Internal to src/http.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/types.h"

namespace ff::http::detail {

struct HeadFields {
  std::string_view request_id;
  std::string_view cors_origin;  // empty: no CORS fields
  bool hsts = false;             // Strict-Transport-Security (served over HTTPS)
  bool keep_alive = true;
  // Content-Length to announce; nullopt for statuses that carry no body
  // (1xx, 204, 304), chosen by content_length_for().
  std::optional<uint64_t> content_length;
};

// The Strict-Transport-Security value: one year. No includeSubDomains: the
// orchestrator does not speak for other hosts under its domain.
inline constexpr char kHstsValue[] = "max-age=31536000";

// Content-Length to announce for `status` with a body of `size` bytes.
std::optional<uint64_t> content_length_for(int status, uint64_t size);

// Appends "HTTP/1.1 <status> <reason>\r\n", the fixed fields, the response's
// own fields and the blank line to `out`. A response field replaces a fixed
// one of the same name (case-insensitive), as Beast's set() did.
void append_response_head(std::string& out, const api::Response& r, const HeadFields& fields);

}  // namespace ff::http::detail
