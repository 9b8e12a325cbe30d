// The multipart/form-data parser (src/api/multipart): the input is
//   <Content-Type value> '\n' <body>
// The boundary comes from multipart_boundary() on that value (when it refuses
// it, the body is still parsed with the boundary "b" so that the parser is
// always reached). The body is parsed twice: whole, and in chunks whose sizes
// come from the body's own bytes (1..17), which splits delimiters, CRLFs and
// headers at every possible place.
//
// Properties: nothing crashes; both parses end in the same status and, when
// both succeed, report the same parts with the same bytes; never more parts
// than the limit; errors are kInvalidArgument or kTooLarge.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/multipart.h"
#include "fuzz_check.h"

namespace {

struct Outcome {
  ff::Status status;
  bool done = false;
  std::string events;  // "B name|file|type;" then the part's bytes, then "E;"
  size_t parts = 0;
};

Outcome parse(const std::string& boundary, std::string_view body, bool chunked) {
  Outcome out;
  bool in_part = false;
  ff::api::MultipartCallbacks cb;
  cb.on_part_begin = [&](std::string_view name, std::string_view file, std::string_view type) {
    FF_FUZZ_CHECK(!in_part);
    in_part = true;
    ++out.parts;
    out.events.append("B ").append(name).append("|").append(file).append("|").append(type);
    out.events.append(";");
    return ff::OkStatus();
  };
  cb.on_part_data = [&](std::string_view data) {
    FF_FUZZ_CHECK(in_part);
    out.events.append(data);
    return ff::OkStatus();
  };
  cb.on_part_end = [&]() {
    FF_FUZZ_CHECK(in_part);
    in_part = false;
    out.events.append("E;");
    return ff::OkStatus();
  };
  ff::api::MultipartLimits limits;
  limits.max_header_bytes = 256;
  limits.max_parts = 8;
  limits.max_preamble_bytes = 512;
  ff::api::MultipartParser parser(boundary, std::move(cb), limits);

  size_t pos = 0;
  while (pos < body.size() && out.status.ok()) {
    size_t n = chunked ? 1 + static_cast<unsigned char>(body[pos]) % 17 : body.size();
    n = std::min(n, body.size() - pos);
    out.status = parser.feed(body.substr(pos, n));
    pos += n;
  }
  if (out.status.ok()) out.status = parser.finish();
  out.done = parser.done();
  FF_FUZZ_CHECK(out.parts <= limits.max_parts);
  if (out.status.ok()) FF_FUZZ_CHECK(out.done && !in_part);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view content_type = in.substr(0, nl);
  std::string_view body = in.substr(nl + 1);

  auto boundary = ff::api::multipart_boundary(content_type);
  if (boundary.ok()) {
    FF_FUZZ_CHECK(!boundary->empty() && boundary->size() <= 70);
    FF_FUZZ_CHECK(boundary->find_first_of("\r\n") == std::string::npos);
  } else {
    FF_FUZZ_CHECK(boundary.status().code() == ff::Code::kInvalidArgument);
  }
  std::string b = boundary.ok() ? *boundary : "b";

  Outcome whole = parse(b, body, false);
  Outcome pieces = parse(b, body, true);
  FF_FUZZ_CHECK(whole.status.code() == pieces.status.code());
  FF_FUZZ_CHECK(whole.done == pieces.done);
  if (whole.status.ok()) FF_FUZZ_CHECK(whole.events == pieces.events);
  auto code = whole.status.code();
  FF_FUZZ_CHECK(code == ff::Code::kOk || code == ff::Code::kInvalidArgument ||
                code == ff::Code::kTooLarge);
  return 0;
}
