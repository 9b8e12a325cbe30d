// Snapshot objects: streamed upload (multipart POST or raw PUT), streamed
// download with single ranges.
#include <charconv>

#include "api/api.h"
#include "api/errors.h"
#include "api/object_sink.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::api {

namespace {

class BlobSource final : public BodySource {
 public:
  explicit BlobSource(std::unique_ptr<blob::Reader> r) : reader_(std::move(r)) {}
  Result<size_t> read(char* buf, size_t n) override { return reader_->read(buf, n); }

 private:
  std::unique_ptr<blob::Reader> reader_;
};

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

// Parses a single "bytes=a-b" / "bytes=a-" / "bytes=-n" range against `size`.
// nullopt: no Range header (or one we ignore, as RFC 9110 allows); kOutOfRange
// when unsatisfiable.
Result<std::optional<ByteRange>> parse_range(const std::string& header, uint64_t size) {
  constexpr std::string_view kPrefix = "bytes=";
  if (header.empty() || header.rfind(kPrefix, 0) != 0) return std::optional<ByteRange>();
  std::string_view spec = std::string_view(header).substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos)
    return std::optional<ByteRange>();  // multi: send all
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::optional<ByteRange>();
  auto num = [](std::string_view s, uint64_t* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
  };
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {
    uint64_t suffix = 0;
    if (!num(b, &suffix)) return std::optional<ByteRange>();
    if (suffix == 0 || size == 0) return OutOfRange("range not satisfiable");
    suffix = std::min(suffix, size);
    return std::optional<ByteRange>(ByteRange{size - suffix, suffix});
  }
  if (!num(a, &first)) return std::optional<ByteRange>();
  if (b.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else if (!num(b, &last) || last < first) {
    return std::optional<ByteRange>();
  }
  if (first >= size) return OutOfRange("range not satisfiable");
  last = std::min(last, size - 1);
  return std::optional<ByteRange>(ByteRange{first, last - first + 1});
}

}  // namespace

void Api::add_object_routes() {
  Route put{"PUT", "/snapshots/{id}/object", Access::kBearer, RouteKind::kUpload};
  put.begin_upload = [this](Request& req) {
    return open_object_sink(service_, *req.claims, req.param("id"), req.content_length, "put");
  };
  routes_.push_back(std::move(put));

  Route post{"POST", "/snapshots/{id}/object", Access::kBearer, RouteKind::kUpload};
  post.begin_upload = [this](Request& req) -> Result<std::unique_ptr<BodySink>> {
    if (req.content_type.find("multipart/form-data") == std::string::npos) {
      return InvalidArgument("expected multipart/form-data with the bytes in field 'file'");
    }
    FF_ASSIGN_OR_RETURN(auto inner, open_object_sink(service_, *req.claims, req.param("id"),
                                                     std::nullopt, "multipart"));
    return wrap_multipart(std::move(inner), req.content_type);
  };
  routes_.push_back(std::move(post));

  Route get{"GET", "/snapshots/{id}/object"};
  get.handle = [this](Request& req) -> Response {
    auto snap = service_.get_snapshot(*req.claims, req.param("id"));
    if (!snap.ok()) return error_response(snap.status());
    Status allowed = service_.check_download(*req.claims, *snap);
    if (!allowed.ok()) return error_response(allowed);
    store::Snapshot s = std::move(snap).value();
    if (s.status == core::kSnapshotPending) {
      auto verified = service_.verify_pending(s);
      if (!verified.ok()) return error_response(verified.status());
      s = std::move(verified).value();
    }
    if (s.status != core::kSnapshotAvailable) {
      return error_response(Conflict("snapshot " + s.id + " is " + s.status +
                                     (s.status == core::kSnapshotPending
                                          ? ": its bytes have not been uploaded yet"
                                          : ": its stored bytes do not match the checksum")));
    }
    uint64_t size = static_cast<uint64_t>(s.size);
    auto range = parse_range(req.range, size);
    if (!range.ok()) {
      Response r = error_response(range.status());
      r.add_header("Content-Range", "bytes */" + std::to_string(size));
      return r;
    }
    ByteRange br = range->value_or(ByteRange{0, size});
    auto reader = service_.blobs().open(core::Service::object_key(s.id), br.first, br.length);
    if (!reader.ok()) {
      if (reader.status().code() == Code::kNotFound) {
        return error_response(DataLoss("snapshot object missing from the store"));
      }
      return error_response(reader.status());
    }
    Response r;
    r.status = range->has_value() ? 206 : 200;
    r.content_type = "application/octet-stream";
    r.stream = std::make_unique<BlobSource>(std::move(reader).value());
    r.stream_length = br.length;
    r.add_header("ETag", "\"" + s.checksum + "\"");
    r.add_header("Accept-Ranges", "bytes");
    r.add_header("Content-Disposition", "attachment; filename=\"" + s.id + ".tar\"");
    if (range->has_value()) {
      r.add_header("Content-Range", "bytes " + std::to_string(br.first) + "-" +
                                        std::to_string(br.first + br.length - 1) + "/" +
                                        std::to_string(size));
    }
    return r;
  };
  routes_.push_back(std::move(get));
}

}  // namespace ff::api
