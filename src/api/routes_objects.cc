// Snapshot objects: streamed upload (multipart POST or raw PUT), streamed
// download with single ranges.
#include "api/api.h"
#include "api/errors.h"
#include "api/object_sink.h"
#include "api/range.h"
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
