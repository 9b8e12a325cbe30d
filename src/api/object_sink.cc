#include "api/object_sink.h"

#include <spdlog/spdlog.h>

#include "api/api.h"
#include "api/errors.h"
#include "common/hex.h"
#include "core/job_rules.h"
#include "core/service.h"

namespace ff::api {

namespace {

class ObjectSink final : public BodySink {
 public:
  ObjectSink(core::Service& service, store::Snapshot snapshot, std::unique_ptr<blob::Writer> writer,
             std::string via)
      : service_(service),
        snapshot_(std::move(snapshot)),
        writer_(std::move(writer)),
        via_(std::move(via)) {}

  ~ObjectSink() override {
    if (writer_) writer_->abort();
  }

  Status write(std::string_view chunk) override {
    received_ += chunk.size();
    // Cut off early: the declared size is the most we will ever store.
    if (received_ > static_cast<uint64_t>(snapshot_.size)) {
      writer_->abort();
      return TooLarge("upload exceeds the snapshot's declared size of " +
                      std::to_string(snapshot_.size) + " bytes");
    }
    hash_.update(chunk);
    return writer_->write(chunk);
  }

  Response finish() override {
    std::string actual = hash_.finish_hex();
    if (received_ != static_cast<uint64_t>(snapshot_.size) || actual != snapshot_.checksum) {
      writer_->abort();
      writer_.reset();
      if (actual != snapshot_.checksum) {
        return error_response(IntegrityError("Checksum mismatch: expected " + snapshot_.checksum +
                                             ", got " + actual));
      }
      return error_response(IntegrityError("Size mismatch: expected " +
                                           std::to_string(snapshot_.size) + " bytes, got " +
                                           std::to_string(received_)));
    }
    Status committed = writer_->commit();
    writer_.reset();
    if (!committed.ok()) return error_response(committed);
    SystemTime now = service_.env().clock->now();
    Status cas = service_.store().update_snapshot_status(snapshot_.id, core::kSnapshotPending,
                                                         core::kSnapshotAvailable, now);
    if (!cas.ok() && snapshot_.status == core::kSnapshotCorrupt) {
      // A re-upload that repairs a corrupt snapshot.
      cas = service_.store().update_snapshot_status(snapshot_.id, core::kSnapshotCorrupt,
                                                    core::kSnapshotAvailable, now);
    }
    if (!cas.ok()) {
      if (cas.code() == Code::kConflict) {
        return error_response(Conflict("snapshot " + snapshot_.id + " was uploaded concurrently"));
      }
      return error_response(cas);
    }
    snapshot_.status = core::kSnapshotAvailable;
    snapshot_.uploaded_at = now;
    auto logged = service_.audit(core::audit::snapshot_uploaded(snapshot_, via_));
    if (!logged.ok()) return error_response(logged.status());
    return json_response({{"status", "uploaded"},
                          {"snapshot_id", snapshot_.id},
                          {"size", snapshot_.size},
                          {"checksum", snapshot_.checksum}});
  }

 private:
  core::Service& service_;
  store::Snapshot snapshot_;
  std::unique_ptr<blob::Writer> writer_;
  std::string via_;
  Sha256 hash_;
  uint64_t received_ = 0;
};

}  // namespace

Result<std::unique_ptr<BodySink>> open_object_sink(core::Service& service,
                                                   const auth::Claims& caller,
                                                   const std::string& id,
                                                   std::optional<uint64_t> content_length,
                                                   const std::string& via) {
  FF_ASSIGN_OR_RETURN(store::Snapshot s, service.get_snapshot(caller, id));
  if (!caller.may_act_for(s.agent_id)) {
    return PermissionDenied("only the snapshot's agent or an operator may upload its bytes");
  }
  if (s.status == core::kSnapshotAvailable) {
    return Conflict("snapshot " + id + " is already uploaded; its bytes are immutable");
  }
  if (content_length && via == "put" && *content_length > static_cast<uint64_t>(s.size)) {
    return TooLarge("Content-Length exceeds the snapshot's declared size of " +
                    std::to_string(s.size) + " bytes");
  }
  FF_ASSIGN_OR_RETURN(auto writer,
                      service.blobs().create_checked(core::Service::object_key(id),
                                                     static_cast<uint64_t>(s.size), s.checksum));
  return std::unique_ptr<BodySink>(new ObjectSink(service, std::move(s), std::move(writer), via));
}

}  // namespace ff::api
