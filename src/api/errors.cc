#include "api/errors.h"

#include <nlohmann/json.hpp>

namespace ff::api {

int http_status(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
    case Code::kIntegrity:
      return 400;
    case Code::kValidation:
      return 422;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
      return 409;
    case Code::kTooLarge:
      return 413;
    case Code::kOutOfRange:
      return 416;
    case Code::kRateLimited:
      return 429;
    case Code::kUnavailable:
      return 503;
    case Code::kDataLoss:
    case Code::kInternal:
      return 500;
  }
  return 500;
}

Response error_response(const Status& status, int retry_after_seconds) {
  Response r;
  r.status = http_status(status.code());
  std::string detail = status.message();
  // Internal details stay in the log; clients get a stable sentence.
  if (r.status == 500) detail = "internal error";
  r.body = nlohmann::json{{"detail", detail}}.dump();
  if (status.code() == Code::kUnauthenticated) r.add_header("WWW-Authenticate", "Bearer");
  if (status.code() == Code::kUnavailable || status.code() == Code::kRateLimited) {
    r.add_header("Retry-After", std::to_string(retry_after_seconds));
  }
  return r;
}

}  // namespace ff::api
