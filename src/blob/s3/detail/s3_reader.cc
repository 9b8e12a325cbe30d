#include "blob/s3/detail/s3_reader.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "blob/detail/range.h"

namespace ff::blob::detail {

namespace {

std::optional<uint64_t> parse_u64(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "bytes <first>-<last>/<total or *>" -> [first, last + 1), cut at a known
// total (s3rver answers "bytes 0-0/0" for a range of an empty object).
std::optional<ByteRange> parse_content_range(std::string_view v) {
  if (!v.starts_with("bytes ")) return std::nullopt;
  v.remove_prefix(6);
  size_t dash = v.find('-');
  size_t slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return std::nullopt;
  }
  auto first = parse_u64(v.substr(0, dash));
  auto last = parse_u64(v.substr(dash + 1, slash - dash - 1));
  if (!first || !last || *last < *first) return std::nullopt;
  ByteRange range{*first, *last + 1};
  if (auto total = parse_u64(v.substr(slash + 1)); total) {
    range.end = std::min(range.end, *total);
    range.begin = std::min(range.begin, range.end);
  }
  return range;
}

class EmptyReader final : public Reader {
 public:
  Result<size_t> read(char*, size_t) override { return size_t{0}; }
};

class S3Reader final : public Reader {
 public:
  S3Reader(S3Client& client, std::string key, std::string etag, ByteRange range, uint64_t skip,
           std::unique_ptr<Transfer> transfer)
      : client_(client),
        key_(std::move(key)),
        etag_(std::move(etag)),
        pos_(range.begin),
        end_(range.end),
        skip_(skip),
        transfer_(std::move(transfer)) {}

  Result<size_t> read(char* buf, size_t n) override {
    if (n == 0) return size_t{0};
    while (true) {
      if (pos_ >= end_) {
        finish();
        return size_t{0};
      }
      Status s;
      if (transfer_ == nullptr) s = reopen();
      if (s.ok()) {
        // While skipping (a server that ignored Range), read into `buf` and drop.
        const size_t want = static_cast<size_t>(skip_ > 0 ? std::min<uint64_t>(n, skip_)
                                                          : std::min<uint64_t>(n, end_ - pos_));
        Result<size_t> got = transfer_->read_body(buf, want);
        if (got.ok() && *got > 0) {
          failures_ = 0;
          if (skip_ > 0) {
            skip_ -= *got;
            continue;
          }
          pos_ += *got;
          return *got;
        }
        s = got.ok() ? Unavailable("body ended " + std::to_string(end_ - pos_) + " bytes early")
                     : got.status();
        transfer_.reset();
      }
      if (s.code() != Code::kUnavailable || failures_ >= client_.config().max_retries) {
        return s.with_context("S3 GetObject " + key_);
      }
      ++failures_;
      client_.backoff(failures_);
    }
  }

 private:
  // Lets the exchange end cleanly so its connection can be reused (without
  // waiting: a server that promised more than the range is simply cut off).
  void finish() {
    if (transfer_ == nullptr) return;
    transfer_->settle();
    transfer_.reset();
  }

  Status reopen() {
    S3Request r;
    r.op = "GetObject";
    r.method = "GET";
    r.key = key_;
    r.stream_response = true;
    r.headers = {{"range", "bytes=" + std::to_string(pos_) + "-" + std::to_string(end_ - 1)}};
    // Resuming must not splice two versions of an object together.
    if (!etag_.empty()) r.headers.emplace_back("if-match", etag_);
    FF_ASSIGN_OR_RETURN(std::unique_ptr<Transfer> t, client_.start(r));
    const long status = t->status();
    if (status == 206) {
      auto range = parse_content_range(t->header("content-range").value_or(""));
      if (!range || range->begin != pos_) return Internal("unexpected Content-Range on resume");
      skip_ = 0;
      transfer_ = std::move(t);
      return OkStatus();
    }
    if (status == 200) {
      skip_ = pos_;
      transfer_ = std::move(t);
      return OkStatus();
    }
    (void)t->finish();
    return client_.classify(r, status, t->body());
  }

  S3Client& client_;
  const std::string key_;
  const std::string etag_;
  uint64_t pos_;
  const uint64_t end_;
  uint64_t skip_;  // bytes still to drop before pos_
  std::unique_ptr<Transfer> transfer_;
  int failures_ = 0;  // consecutive failed attempts
};

}  // namespace

Result<uint64_t> head_object(S3Client& client, const std::string& key) {
  S3Request r;
  r.op = "HeadObject";
  r.method = "HEAD";
  r.key = key;
  FF_ASSIGN_OR_RETURN(S3Response response, client.call(r));
  auto size = parse_u64(response.headers["content-length"]);
  if (!size) return Internal(S3Client::describe(r) + ": no Content-Length in the answer");
  return *size;
}

Result<std::unique_ptr<Reader>> open_object(S3Client& client, const std::string& key,
                                            uint64_t offset, std::optional<uint64_t> length) {
  if (length && *length == 0) {
    // HTTP cannot ask for zero bytes; check existence and bounds instead.
    FF_ASSIGN_OR_RETURN(uint64_t size, head_object(client, key));
    FF_TRY(clamp_range(size, offset, 0));
    return std::unique_ptr<Reader>(std::make_unique<EmptyReader>());
  }
  S3Request r;
  r.op = "GetObject";
  r.method = "GET";
  r.key = key;
  r.stream_response = true;
  if (offset > 0 || length) {
    std::string spec = "bytes=" + std::to_string(offset) + "-";
    if (length && *length - 1 <= std::numeric_limits<uint64_t>::max() - offset) {
      spec += std::to_string(offset + *length - 1);
    }
    r.headers = {{"range", spec}};
  }
  for (int attempt = 0;; ++attempt) {
    Result<std::unique_ptr<Transfer>> t = client.start(r);
    Status s = t.status();
    if (t.ok()) {
      const long status = (*t)->status();
      std::string etag = (*t)->header("etag").value_or("");
      if (status == 206) {
        auto range = parse_content_range((*t)->header("content-range").value_or(""));
        if (range && range->begin < offset) {
          // The range starts at or beyond the end: what S3 reports with 416.
          FF_ASSIGN_OR_RETURN(ByteRange clamped, clamp_range(range->end, offset, length));
          (void)clamped;
          return std::unique_ptr<Reader>(std::make_unique<EmptyReader>());
        }
        if (!range || range->begin != offset) {
          return Internal(S3Client::describe(r) + ": unexpected Content-Range");
        }
        return std::unique_ptr<Reader>(
            std::make_unique<S3Reader>(client, key, std::move(etag), *range, 0, std::move(*t)));
      }
      if (status == 200) {
        // The whole object: either no Range was asked or the server ignored it.
        auto total = parse_u64((*t)->header("content-length").value_or(""));
        if (!total) return Internal(S3Client::describe(r) + ": no Content-Length in the answer");
        FF_ASSIGN_OR_RETURN(ByteRange range, clamp_range(*total, offset, length));
        return std::unique_ptr<Reader>(
            std::make_unique<S3Reader>(client, key, std::move(etag), range, offset, std::move(*t)));
      }
      (void)(*t)->finish();
      s = client.classify(r, status, (*t)->body());
      if (status == 416) {
        // S3 refuses a range starting at the end; BlobStore serves it empty.
        FF_ASSIGN_OR_RETURN(uint64_t size, head_object(client, key));
        FF_ASSIGN_OR_RETURN(ByteRange range, clamp_range(size, offset, length));
        if (range.begin == range.end)
          return std::unique_ptr<Reader>(std::make_unique<EmptyReader>());
        return s;
      }
    }
    if (s.code() != Code::kUnavailable || attempt >= client.config().max_retries) {
      return attempt > 0 ? s.with_context("after " + std::to_string(attempt + 1) + " attempts") : s;
    }
    client.backoff(attempt + 1);
  }
}

}  // namespace ff::blob::detail
