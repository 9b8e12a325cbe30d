// Object bytes: tar snapshot objects and packs share one upload path
// (object_sink.cc: multipart POST or raw PUT) and one streamed download with
// single ranges.
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

// Streams the stored object `o` (available), whole or the request's range.
Response object_download(core::Service& service, const Request& req, const core::StoredObject& o,
                         const std::string& filename) {
  uint64_t size = static_cast<uint64_t>(o.size);
  auto range = parse_range(req.range, size);
  if (!range.ok()) {
    Response r = error_response(range.status());
    r.add_header("Content-Range", "bytes */" + std::to_string(size));
    return r;
  }
  ByteRange br = range->value_or(ByteRange{0, size});
  auto reader = service.blobs().open(o.key(service.object_keys()), br.first, br.length);
  if (!reader.ok()) {
    if (reader.status().code() == Code::kNotFound) {
      return error_response(DataLoss(o.noun() + " object missing from the store"));
    }
    return error_response(reader.status());
  }
  Response r;
  r.status = range->has_value() ? 206 : 200;
  r.content_type = "application/octet-stream";
  r.stream = std::make_unique<BlobSource>(std::move(reader).value());
  r.stream_length = br.length;
  r.add_header("ETag", "\"" + o.checksum + "\"");
  r.add_header("Accept-Ranges", "bytes");
  r.add_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  if (range->has_value()) {
    r.add_header("Content-Range", "bytes " + std::to_string(br.first) + "-" +
                                      std::to_string(br.first + br.length - 1) + "/" +
                                      std::to_string(size));
  }
  return r;
}

// The snapshot's tar object when the caller may download it and it is available.
Result<core::StoredObject> downloadable_snapshot(core::Service& service, const Request& req) {
  FF_ASSIGN_OR_RETURN(store::Snapshot s, service.get_snapshot(*req.claims, req.param("id")));
  FF_TRY(service.check_download(*req.claims, s));
  if (s.format != core::kFormatTar) {
    return Conflict("snapshot " + s.id +
                    " is in the repository format: it has no single object, its data lives in "
                    "packs (POST /snapshots/{id}/locate, then GET /packs/{id}/object)");
  }
  FF_ASSIGN_OR_RETURN(s, service.verify_pending(s));
  if (s.status != core::kSnapshotAvailable) {
    return Conflict("snapshot " + s.id + " is " + s.status +
                    (s.status == core::kSnapshotPending
                         ? ": its bytes have not been uploaded yet"
                         : ": its stored bytes do not match the checksum"));
  }
  return core::stored_object(s);
}

}  // namespace

void Api::add_object_routes() {
  Route put{"PUT", "/snapshots/{id}/object", Access::kBearer, RouteKind::kUpload};
  put.begin_upload = [this](Request& req) {
    return open_object_sink(service_, *req.claims, core::ObjectKind::kSnapshot, req.param("id"),
                            req.content_length, "put");
  };
  routes_.push_back(std::move(put));

  Route post{"POST", "/snapshots/{id}/object", Access::kBearer, RouteKind::kUpload};
  post.begin_upload = [this](Request& req) -> Result<std::unique_ptr<BodySink>> {
    if (req.content_type.find("multipart/form-data") == std::string::npos) {
      return InvalidArgument("expected multipart/form-data with the bytes in field 'file'");
    }
    FF_ASSIGN_OR_RETURN(auto inner,
                        open_object_sink(service_, *req.claims, core::ObjectKind::kSnapshot,
                                         req.param("id"), std::nullopt, "multipart"));
    return wrap_multipart(std::move(inner), req.content_type);
  };
  routes_.push_back(std::move(post));

  Route get{"GET", "/snapshots/{id}/object"};
  get.handle = [this](Request& req) -> Response {
    auto o = downloadable_snapshot(service_, req);
    if (!o.ok()) return error_response(o.status());
    return object_download(service_, req, *o, o->id + ".tar");
  };
  routes_.push_back(std::move(get));

  Route put_pack{"PUT", "/packs/{id}/object", Access::kBearer, RouteKind::kUpload};
  put_pack.begin_upload = [this](Request& req) {
    return open_object_sink(service_, *req.claims, core::ObjectKind::kPack, req.param("id"),
                            req.content_length, "put");
  };
  routes_.push_back(std::move(put_pack));

  Route get_pack{"GET", "/packs/{id}/object"};
  get_pack.handle = [this](Request& req) -> Response {
    auto p = service_.get_pack_for_download(*req.claims, req.param("id"));
    if (!p.ok()) return error_response(p.status());
    return object_download(service_, req, core::stored_object(*p), p->id + ".pack");
  };
  routes_.push_back(std::move(get_pack));
}

}  // namespace ff::api
