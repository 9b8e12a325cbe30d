// multipart/form-data uploads: the body is parsed as it streams in and only
// the part named "file" reaches the object sink. Other small fields are
// skipped; a second "file" part is an error (one object per snapshot).
#include "api/errors.h"
#include "api/multipart.h"
#include "api/object_sink.h"

namespace ff::api {

namespace {

class MultipartSink final : public BodySink {
 public:
  MultipartSink(std::unique_ptr<BodySink> inner, std::string boundary)
      : inner_(std::move(inner)),
        parser_(
            std::move(boundary),
            MultipartCallbacks{[this](std::string_view name, std::string_view, std::string_view) {
                                 in_file_ = name == "file";
                                 if (in_file_ && seen_file_) {
                                   return ValidationError("file: only one file part is accepted");
                                 }
                                 seen_file_ = seen_file_ || in_file_;
                                 return OkStatus();
                               },
                               [this](std::string_view data) {
                                 return in_file_ ? inner_->write(data) : OkStatus();
                               },
                               [this] {
                                 in_file_ = false;
                                 return OkStatus();
                               }}) {}

  Status write(std::string_view chunk) override { return parser_.feed(chunk); }

  Response finish() override {
    Status s = parser_.finish();
    if (!s.ok()) return error_response(s);
    if (!seen_file_) return error_response(ValidationError("file: field required"));
    return inner_->finish();
  }

 private:
  std::unique_ptr<BodySink> inner_;
  MultipartParser parser_;
  bool in_file_ = false;
  bool seen_file_ = false;
};

}  // namespace

Result<std::unique_ptr<BodySink>> wrap_multipart(std::unique_ptr<BodySink> inner,
                                                 const std::string& content_type) {
  FF_ASSIGN_OR_RETURN(std::string boundary, multipart_boundary(content_type));
  return std::unique_ptr<BodySink>(new MultipartSink(std::move(inner), std::move(boundary)));
}

}  // namespace ff::api
