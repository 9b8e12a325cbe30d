#include "blob/s3/detail/s3_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <thread>

#include "blob/s3/detail/xml.h"
#include "common/hex.h"

namespace ff::blob::detail {

Result<Endpoint> parse_endpoint(std::string_view url) {
  Endpoint ep;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos)
    return InvalidArgument("S3 endpoint must start with http(s)://");
  ep.scheme = std::string(url.substr(0, sep));
  for (char& c : ep.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ep.scheme != "http" && ep.scheme != "https") {
    return InvalidArgument("S3 endpoint scheme must be http or https");
  }
  std::string_view rest = url.substr(sep + 3);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string_view::npos ||
      rest.find_first_of("?#") != std::string_view::npos) {
    return InvalidArgument("S3 endpoint must be http(s)://host[:port][/path]");
  }
  // Drop a default port: the Host header (and so the signature) omits it.
  std::string host(authority);
  if (ep.scheme == "http" && host.size() > 3 && host.ends_with(":80")) host.resize(host.size() - 3);
  if (ep.scheme == "https" && host.size() > 4 && host.ends_with(":443"))
    host.resize(host.size() - 4);
  ep.host = host;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  ep.base_path = std::string(path);
  return ep;
}

S3Client::S3Client(S3Config config, Endpoint endpoint, const sys::Clock& clock)
    : config_(std::move(config)),
      endpoint_(std::move(endpoint)),
      public_endpoint_(endpoint_),
      clock_(clock),
      credentials_{config_.access_key, config_.secret_key},
      scope_{config_.region.empty() ? "us-east-1" : config_.region, "s3"},
      pool_(config_.max_idle_connections) {
  if (!config_.public_endpoint.empty()) {
    if (auto pub = parse_endpoint(config_.public_endpoint); pub.ok()) public_endpoint_ = *pub;
  }
}

std::string S3Client::path_for(const std::string& key) const {
  std::string path = endpoint_.base_path + "/" + config_.bucket;
  if (!key.empty()) path += "/" + key;
  return path;
}

std::string S3Client::payload_hash(std::string_view body) const {
  switch (config_.payload_signing) {
    case PayloadSigning::kNever:
      return std::string(sigv4::kUnsignedPayload);
    case PayloadSigning::kAuto:
      if (endpoint_.scheme == "https") return std::string(sigv4::kUnsignedPayload);
      [[fallthrough]];
    case PayloadSigning::kAlways:
      break;
  }
  if (body.empty()) return std::string(sigv4::kEmptyPayloadHash);
  return sha256_hex(body);
}

std::string S3Client::describe(const S3Request& request) {
  std::string out = std::string("S3 ") + request.op;
  if (!request.key.empty()) out += " " + request.key;
  return out;
}

HttpRequest S3Client::sign(const S3Request& request, std::string payload_hash) const {
  sigv4::Request unsigned_request;
  unsigned_request.method = request.method;
  unsigned_request.scheme = endpoint_.scheme;
  unsigned_request.host = endpoint_.host;
  unsigned_request.path = path_for(request.key);
  unsigned_request.query = request.query;
  unsigned_request.headers = request.headers;
  sigv4::SignedRequest signed_request =
      sigv4::sign_request(unsigned_request, payload_hash, credentials_, scope_, clock_.now());
  HttpRequest http;
  http.method = request.method;
  http.url = endpoint_.scheme + "://" + endpoint_.host + signed_request.target;
  http.headers = std::move(signed_request.headers);
  http.body = request.body;
  return http;
}

TransferOptions S3Client::transfer_options(const S3Request& request) const {
  TransferOptions options;
  options.connect_timeout = config_.connect_timeout;
  options.stall_timeout =
      request.stall_timeout.count() > 0 ? request.stall_timeout : config_.io_timeout;
  options.stream_response = request.stream_response;
  options.ca_file = config_.ca_file;
  return options;
}

Result<std::unique_ptr<Transfer>> S3Client::start(const S3Request& request) {
  auto transfer = Transfer::start(pool_, clock_, sign(request, payload_hash(request.body)),
                                  transfer_options(request));
  if (!transfer.ok()) return transfer.status().with_context(describe(request));
  if (Status s = (*transfer)->wait_headers(); !s.ok()) return s.with_context(describe(request));
  return transfer;
}

Result<std::unique_ptr<Transfer>> S3Client::start_upload(const S3Request& request, uint64_t size,
                                                         std::string payload_hash) {
  HttpRequest http = sign(request, std::move(payload_hash));
  http.stream_body_size = size;
  auto transfer = Transfer::start(pool_, clock_, std::move(http), transfer_options(request));
  if (!transfer.ok()) return transfer.status().with_context(describe(request));
  return transfer;
}

Result<S3Response> S3Client::call_once(const S3Request& request) {
  FF_ASSIGN_OR_RETURN(std::unique_ptr<Transfer> t, start(request));
  if (Status s = t->finish(); !s.ok()) return s.with_context(describe(request));
  S3Response response;
  response.status = t->status();
  response.body = t->body();
  for (const char* name : {"etag", "content-length", "content-range", "last-modified"}) {
    if (auto v = t->header(name)) response.headers[name] = *v;
  }
  if (response.status / 100 != 2) return classify(request, response.status, response.body);
  return response;
}

Result<S3Response> S3Client::call(const S3Request& request) {
  for (int attempt = 0;; ++attempt) {
    Result<S3Response> r = call_once(request);
    if (r.ok() || r.status().code() != Code::kUnavailable || attempt >= config_.max_retries) {
      if (!r.ok() && attempt > 0) {
        return r.status().with_context("after " + std::to_string(attempt + 1) + " attempts");
      }
      return r;
    }
    spdlog::debug("{}: attempt {} failed: {}", describe(request), attempt + 1,
                  r.status().message());
    backoff(attempt + 1);
  }
}

Status S3Client::classify(const S3Request& request, long http_status, std::string_view body) const {
  const std::string code = xml_text(body, "Code").value_or("");
  std::string msg = describe(request) + ": HTTP " + std::to_string(http_status);
  if (!code.empty()) msg += " " + code;
  if (http_status == 404) {
    if (code == "NoSuchBucket") return Unavailable(msg + " (bucket " + config_.bucket + ")");
    return NotFound(std::move(msg));
  }
  if (http_status == 416) return OutOfRange(std::move(msg));
  // 501 Not Implemented will not get implemented by retrying.
  if ((http_status >= 500 && http_status != 501) || http_status == 429 ||
      code == "RequestTimeout" || code == "SlowDown") {
    return Unavailable(std::move(msg));
  }
  return Internal(std::move(msg));
}

void S3Client::backoff(int attempt) const {
  thread_local std::minstd_rand rng{std::random_device{}()};
  const int shift = std::min(attempt - 1, 20);
  const int64_t cap =
      std::min<int64_t>(config_.retry_max_delay.count(), config_.retry_base_delay.count() << shift);
  if (cap <= 0) return;
  std::uniform_int_distribution<int64_t> jitter(cap / 2, cap);
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
}

Result<sigv4::PresignedUrl> S3Client::presign_put(const std::string& key,
                                                  std::chrono::seconds expires) const {
  sigv4::Request request;
  request.method = "PUT";
  request.scheme = public_endpoint_.scheme;
  request.host = public_endpoint_.host;
  request.path = public_endpoint_.base_path + "/" + config_.bucket + "/" + key;
  return sigv4::presign(request, credentials_, scope_, clock_.now(), expires);
}

}  // namespace ff::blob::detail
