// A streaming, push-based multipart/form-data parser (RFC 7578 over the
// RFC 2046 multipart syntax), with no Beast or Asio dependency: the upload
// handler feeds it the request body in whatever chunks arrive and receives
// each part's headers and bytes through callbacks.
//
//   body      := preamble? "--" boundary padding CRLF part
//                (CRLF "--" boundary padding CRLF part)*
//                CRLF "--" boundary "--" epilogue?
//   part      := header-lines CRLF data
//
// Memory is bounded by the boundary length plus the header limit: part data
// is passed on as it arrives (only a possible partial delimiter at the end of
// a chunk is held back), never gathered whole. Delimiters split across chunks
// at any byte are recognized.
//
// Not supported (rejected with kInvalidArgument): bare-LF line endings, header
// folding beyond simple continuation lines, nested multipart parts (their
// bytes are handed on as data).
//
// Thread-safety: a parser is used by one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ff::api {

// The boundary parameter of a multipart/form-data Content-Type value, with
// quotes and backslash escapes removed. kInvalidArgument when the media type
// is not multipart/form-data or the boundary is missing, empty, longer than
// 70 characters or holds CR/LF.
Result<std::string> multipart_boundary(std::string_view content_type);

struct MultipartLimits {
  size_t max_header_bytes = 16 * 1024;  // one part's header block; beyond: kTooLarge
  size_t max_parts = 64;                // beyond: kTooLarge
  size_t max_preamble_bytes = 64 * 1024;
};

// Callbacks return a Status; a non-ok one stops parsing and is returned from
// feed() unchanged (e.g. kTooLarge from a size-checking sink).
struct MultipartCallbacks {
  // `filename` is empty when the part has none; `content_type` empty when absent.
  std::function<Status(std::string_view name, std::string_view filename,
                       std::string_view content_type)>
      on_part_begin;
  std::function<Status(std::string_view data)> on_part_data;
  std::function<Status()> on_part_end;
};

class MultipartParser {
 public:
  // REQUIRES: `boundary` non-empty (see multipart_boundary()).
  MultipartParser(std::string boundary, MultipartCallbacks callbacks, MultipartLimits limits = {});

  // Parses the next piece of the body. After an error the parser is dead and
  // returns the same error.
  Status feed(std::string_view chunk);
  // Ends the body: kInvalidArgument unless the closing delimiter was seen.
  Status finish();

  // True once the closing delimiter was parsed (the epilogue is ignored).
  bool done() const { return state_ == State::kEpilogue; }

 private:
  enum class State {
    kPreamble,        // before the first delimiter; bytes are discarded
    kAfterDelimiter,  // just matched CRLF "--" boundary
    kCloseDash,       // saw one '-' after the delimiter
    kPadding,         // transport padding (spaces/tabs) before CRLF
    kExpectLf,        // saw CR after the delimiter line
    kHeaders,         // gathering one part's header block
    kBody,            // part data
    kEpilogue,        // after the closing delimiter
  };

  // Scans `data` for the delimiter in kPreamble/kBody; returns bytes consumed.
  Result<size_t> scan(std::string_view data);
  Status emit(std::string_view data);  // part data (dropped in the preamble)
  Status on_delimiter();
  Result<size_t> step_line(std::string_view data);  // kAfterDelimiter..kExpectLf
  Result<size_t> step_headers(std::string_view data);
  Status begin_part();
  Status fail(Status s);

  const std::string delimiter_;  // CRLF "--" boundary
  MultipartCallbacks callbacks_;
  const MultipartLimits limits_;
  State state_ = State::kPreamble;
  // Bytes at the end of the previous chunk that may start a delimiter
  // (always a proper prefix of delimiter_).
  std::string carry_;
  std::string headers_;
  size_t padding_ = 0;
  size_t preamble_ = 0;
  size_t parts_ = 0;
  Status failed_;
};

}  // namespace ff::api
