#include "api/object_sink.h"

#include "api/api.h"
#include "api/errors.h"
#include "common/hex.h"
#include "core/service.h"

namespace ff::api {

namespace {

class ObjectSink final : public BodySink {
 public:
  ObjectSink(core::Service& service, core::StoredObject object,
             std::unique_ptr<blob::Writer> writer, std::string via)
      : service_(service),
        object_(std::move(object)),
        writer_(std::move(writer)),
        via_(std::move(via)) {}

  ~ObjectSink() override {
    if (writer_) writer_->abort();
  }

  Status write(std::string_view chunk) override {
    received_ += chunk.size();
    // Cut off early: the declared size is the most we will ever store.
    if (received_ > static_cast<uint64_t>(object_.size)) {
      writer_->abort();
      return TooLarge("upload exceeds the " + object_.noun() + "'s declared size of " +
                      std::to_string(object_.size) + " bytes");
    }
    hash_.update(chunk);
    return writer_->write(chunk);
  }

  Response finish() override {
    Status matches = core::Service::check_upload(object_, hash_.finish_hex(), received_);
    if (!matches.ok()) {
      writer_->abort();
      writer_.reset();
      return error_response(matches);
    }
    Status committed = writer_->commit();
    writer_.reset();
    if (!committed.ok()) return error_response(committed);
    auto done = service_.finish_upload(object_, via_);
    if (!done.ok()) return error_response(done.status());
    return json_response({{"status", "uploaded"},
                          {object_.noun() + "_id", done->id},
                          {"size", done->size},
                          {"checksum", done->checksum}});
  }

 private:
  core::Service& service_;
  core::StoredObject object_;
  std::unique_ptr<blob::Writer> writer_;
  std::string via_;
  Sha256 hash_;
  uint64_t received_ = 0;
};

}  // namespace

Result<std::unique_ptr<BodySink>> open_object_sink(core::Service& service,
                                                   const auth::Claims& caller,
                                                   core::ObjectKind kind, const std::string& id,
                                                   std::optional<uint64_t> content_length,
                                                   const std::string& via) {
  FF_ASSIGN_OR_RETURN(core::StoredObject o, service.begin_upload(caller, kind, id));
  if (content_length && via == "put" && *content_length > static_cast<uint64_t>(o.size)) {
    return TooLarge("Content-Length exceeds the " + o.noun() + "'s declared size of " +
                    std::to_string(o.size) + " bytes");
  }
  FF_ASSIGN_OR_RETURN(auto writer,
                      service.blobs().create_checked(o.key(service.object_keys()),
                                                     static_cast<uint64_t>(o.size), o.checksum));
  return std::unique_ptr<BodySink>(new ObjectSink(service, std::move(o), std::move(writer), via));
}

}  // namespace ff::api
