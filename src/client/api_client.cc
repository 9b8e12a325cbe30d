#include "client/api_client.h"

#include <charconv>

#include <curl/curl.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "client/http_errors.h"
#include "sys/clock.h"

namespace ff::client {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool is_absolute_url(std::string_view s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
    v.remove_suffix(1);
  return v;
}

}  // namespace

// One request/response in flight: what the curl callbacks read and write.
struct ApiClient::Exchange {
  CURL* curl = nullptr;
  std::string method;
  std::string url;
  bool send_token = true;
  std::string content_type;
  const std::string* body = nullptr;      // buffered request body, or
  const UploadRequest* upload = nullptr;  // a streamed one
  const DownloadRequest* download = nullptr;
  std::chrono::seconds timeout{0};  // 0: no overall limit (stall timeout only)

  std::string response;  // the body unless streamed to download->write
  std::string retry_after;
  std::string total_count;
  std::string etag;
  int64_t content_length = -1;
  uint64_t downloaded = 0;
  Status callback_error;  // first failure inside a callback
  bool cancelled = false;
  std::function<bool()> abort_check;
};

namespace {

using Ex = ApiClient::Exchange;

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Ex*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response (after 100-continue or a redirect): forget earlier headers.
    ex->retry_after.clear();
    ex->total_count.clear();
    ex->etag.clear();
    ex->content_length = -1;
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name = lower(line.substr(0, colon));
  std::string_view value = trim(line.substr(colon + 1));
  if (name == "retry-after") ex->retry_after = value;
  if (name == "x-total-count") ex->total_count = value;
  if (name == "etag") {
    std::string e(value);
    if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
    ex->etag = e;
  }
  if (name == "content-length") {
    char* end = nullptr;
    std::string v(value);
    long long len = std::strtoll(v.c_str(), &end, 10);
    ex->content_length = (end != v.c_str() && *end == '\0' && len >= 0) ? len : -1;
  }
  return size * n;
}

constexpr size_t kMaxJsonResponse = 32u << 20;

size_t on_write(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Ex*>(user);
  size_t len = size * n;
  long code = 0;
  curl_easy_getinfo(ex->curl, CURLINFO_RESPONSE_CODE, &code);
  if (ex->download == nullptr || code < 200 || code >= 300) {
    // Error bodies are small; keep at most 64 KiB for their "detail". JSON
    // answers may be large (a lookup or locate of 10000 ids is ~1.5 MiB) but
    // stay bounded: past the cap they fail to parse instead of growing.
    bool json_ok = ex->download == nullptr && code >= 200 && code < 300;
    size_t cap = json_ok ? kMaxJsonResponse : 65536;
    if (ex->response.size() < cap) {
      ex->response.append(data, std::min<size_t>(len, cap - ex->response.size()));
    }
    return len;
  }
  if (ex->download->offset > 0 && code == 200) {
    // Also for a bounded range: the body would start at byte 0, not at offset.
    ex->callback_error = Conflict("server ignored the Range request");
    return 0;
  }
  Status s = ex->download->write(std::string_view(data, len));
  if (!s.ok()) {
    ex->callback_error = s;
    return 0;  // aborts with CURLE_WRITE_ERROR
  }
  ex->downloaded += len;
  return len;
}

size_t on_read(char* buf, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Ex*>(user);
  Result<size_t> r = ex->upload->read(buf, size * n);
  if (!r.ok()) {
    ex->callback_error = r.status();
    return CURL_READFUNC_ABORT;
  }
  return *r;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                curl_off_t ulnow) {
  auto* ex = static_cast<Ex*>(user);
  if (ex->abort_check && ex->abort_check()) {
    ex->cancelled = true;
    return 1;
  }
  if (ex->upload != nullptr && ex->upload->progress) {
    ex->upload->progress(static_cast<uint64_t>(ulnow),
                         ultotal > 0 ? static_cast<uint64_t>(ultotal) : ex->upload->size);
  }
  if (ex->download != nullptr && ex->download->progress) {
    uint64_t base = ex->download->offset;
    ex->download->progress(base + static_cast<uint64_t>(dlnow),
                           dltotal > 0 ? base + static_cast<uint64_t>(dltotal) : 0);
  }
  return 0;
}

}  // namespace

ApiClient::ApiClient(ClientOptions options) : options_(std::move(options)) {
  global_init();
  while (!options_.base_url.empty() && options_.base_url.back() == '/')
    options_.base_url.pop_back();
  curl_ = curl_easy_init();
}

ApiClient::~ApiClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string ApiClient::url_for(std::string_view path) const {
  if (is_absolute_url(path)) return std::string(path);
  std::string url = options_.base_url;
  if (path.empty() || path.front() != '/') url += '/';
  url += path;
  return url;
}

Status ApiClient::perform(Exchange& ex) {
  last_ = CallInfo{};
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) return Internal("curl_easy_init failed");
  curl_easy_reset(c);
  ex.curl = c;
  ex.abort_check = abort_check_;

  curl_easy_setopt(c, CURLOPT_URL, ex.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
  if (ex.timeout.count() > 0)
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(ex.timeout.count()));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);  // the largest receive buffer curl allows
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.ca_dir.empty()) curl_easy_setopt(c, CURLOPT_CAPATH, options_.ca_dir.c_str());
  if (options_.insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &ex);

  curl_slist* headers = nullptr;
  std::string auth;
  if (ex.send_token && !token_.empty()) {
    auth = "Authorization: Bearer " + token_;
    headers = curl_slist_append(headers, auth.c_str());
  }
  headers = curl_slist_append(headers, "Accept: application/json");
  // Large uploads must not wait for 100-continue round trips.
  headers = curl_slist_append(headers, "Expect:");
  std::string ctype;
  if (!ex.content_type.empty()) {
    ctype = "Content-Type: " + ex.content_type;
    headers = curl_slist_append(headers, ctype.c_str());
  }
  std::string range;
  if (ex.download != nullptr && (ex.download->offset > 0 || ex.download->length > 0)) {
    range = "Range: bytes=" + std::to_string(ex.download->offset) + "-";
    if (ex.download->length > 0) {
      range += std::to_string(ex.download->offset + ex.download->length - 1);
    }
    headers = curl_slist_append(headers, range.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  if (ex.upload != nullptr) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    // Snapshots are hundreds of MiB: curl's default 64 KiB upload buffer
    // means a read callback and a send() per 64 KiB.
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 1L << 20);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &ex);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(ex.upload->size));
    if (ex.method != "PUT") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, ex.method.c_str());
  } else if (ex.body != nullptr) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, ex.body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(ex.body->size()));
    if (ex.method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, ex.method.c_str());
  } else if (ex.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (ex.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, ex.method.c_str());
  }

  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);

  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  last_.http_status = code;
  if (code >= 400) last_.error_body = ex.response.substr(0, 4096);
  if (!ex.total_count.empty()) {
    int64_t n = -1;
    auto [end, ec] =
        std::from_chars(ex.total_count.data(), ex.total_count.data() + ex.total_count.size(), n);
    if (ec == std::errc() && end == ex.total_count.data() + ex.total_count.size() && n >= 0) {
      last_.total_count = n;
    }
  }
  if (!ex.retry_after.empty()) {
    last_.retry_after = parse_retry_after(ex.retry_after, sys::system_clock().now());
  }
  if (!ex.callback_error.ok()) return ex.callback_error;
  if (ex.cancelled) return Unavailable("cancelled");
  if (rc != CURLE_OK) {
    // A response that arrived before the transfer broke still tells why
    // (e.g. a 413 while the upload was in flight).
    if (code >= 400) return status_from_http(code, ex.response);
    std::string what = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_SSL_CACERT || rc == CURLE_PEER_FAILED_VERIFICATION ||
        rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CACERT_BADFILE) {
      return Unavailable("TLS verification failed for " + options_.base_url + ": " + what);
    }
    return Unavailable("cannot reach " + (options_.base_url.empty() ? ex.url : options_.base_url) +
                       ": " + what);
  }
  return status_from_http(code, ex.response);
}

Result<nlohmann::json> ApiClient::request(std::string_view method, const std::string& path,
                                          const nlohmann::json* body,
                                          std::chrono::seconds extra_timeout) {
  Exchange ex;
  ex.method = std::string(method);
  ex.url = url_for(path);
  std::string payload;
  if (body != nullptr) {
    payload = body->dump();
    ex.body = &payload;
    ex.content_type = "application/json";
  }
  ex.timeout = options_.request_timeout + extra_timeout;
  FF_TRY(perform(ex));
  if (ex.response.empty()) return nlohmann::json();
  auto j = nlohmann::json::parse(ex.response, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Unavailable("malformed JSON from " + options_.base_url);
  return j;
}

Result<nlohmann::json> ApiClient::upload(const UploadRequest& req) {
  Exchange ex;
  ex.method = req.method;
  ex.url = url_for(req.url);
  ex.send_token = !is_absolute_url(req.url);
  ex.content_type = req.content_type;
  ex.upload = &req;
  FF_TRY(perform(ex));
  auto j = nlohmann::json::parse(ex.response, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return nlohmann::json();
  return j;
}

Result<nlohmann::json> ApiClient::upload_file(std::string url, const std::string& file_path,
                                              std::function<void(uint64_t, uint64_t)> progress) {
  FILE* f = std::fopen(file_path.c_str(), "rb");
  if (f == nullptr)
    return Internal("cannot open upload file: " + std::string(std::strerror(errno)));
  struct stat st {};
  if (fstat(fileno(f), &st) != 0) {
    std::fclose(f);
    return Internal("cannot stat upload file");
  }
  UploadRequest req;
  req.url = std::move(url);
  req.size = static_cast<uint64_t>(st.st_size);
  req.progress = std::move(progress);
  req.read = [f](char* buf, size_t cap) -> Result<size_t> {
    size_t n = std::fread(buf, 1, cap, f);
    if (n == 0 && std::ferror(f)) return Internal("read error on upload file");
    return n;
  };
  auto r = upload(req);
  std::fclose(f);
  return r;
}

Result<DownloadInfo> ApiClient::download(const DownloadRequest& req) {
  Exchange ex;
  ex.method = "GET";
  ex.url = url_for(req.url);
  ex.send_token = !is_absolute_url(req.url);
  ex.download = &req;
  FF_TRY(perform(ex));
  DownloadInfo info;
  info.bytes = ex.downloaded;
  info.total_size =
      ex.content_length >= 0 ? static_cast<int64_t>(req.offset) + ex.content_length : -1;
  info.etag = ex.etag;
  return info;
}

}  // namespace ff::client
