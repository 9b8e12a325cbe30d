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

// The Content-Security-Policy every asset is served with. The panel and the
// docs page load only their own files: no inline script or style, no eval, no
// third-party origin (Swagger UI is bundled, its validator is off). Images may
// be data: URIs (Swagger UI's CSS icons). connect-src 'self' covers the API and
// the /ws WebSocket on this origin. frame-ancestors 'none' (with
// X-Frame-Options: DENY for older browsers) keeps the pages out of frames, so
// no other site can overlay them (clickjacking). web/ must keep to this.
inline constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

// Looks up a request path (no query string): "/control" and "/control/" give the
// panel's index.html, "/control/assets/<file>" its bundled files, "/docs" and
// "/docs/" the docs page, "/docs/<file>" Swagger UI's files, "/openapi.json" the
// OpenAPI document. Returns nullptr for any other path.
const Asset* find_asset(std::string_view path);

// The OpenAPI 3.1 document (docs/openapi.json as committed).
std::string_view openapi_json();

}  // namespace ff::webassets
