// Web assets compiled into the orchestrator: the control panel (/control), the
// API docs page with Swagger UI (/docs) and the OpenAPI document (/openapi.json).
//
// The bytes are produced at build time from web/ and docs/openapi.json (see
// CMakeLists.txt here) and live in the binary's read-only data, so every view
// returned here is valid for the life of the process. Nothing is read from disk
// at run time, and no CDN is involved.
//
// Thread-safety: immutable data; call from any thread.
#pragma once

#include <string_view>

namespace ff::webassets {

struct Asset {
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view etag;  // quoted strong ETag: "\"<sha256 hex of body>\""
  bool immutable;         // content-hashed file name: may be cached for a year
};

// Looks up a request path (no query string): "/control" and "/control/" give the
// panel's index.html, "/control/assets/<file>" its bundled files, "/docs" and
// "/docs/" the docs page, "/docs/<file>" Swagger UI's files, "/openapi.json" the
// OpenAPI document. Returns nullptr for any other path.
const Asset* find_asset(std::string_view path);

// The OpenAPI 3.1 document (docs/openapi.json as committed).
std::string_view openapi_json();

}  // namespace ff::webassets
