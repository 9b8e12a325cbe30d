#include "blob/s3/detail/transfer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ff::blob::detail {

namespace {

// Receive buffer per transfer and the most a paused stream holds besides it.
constexpr long kReceiveBufferSize = 256 * 1024;
constexpr long kUploadBufferSize = 512 * 1024;
constexpr size_t kSpillLimit = 256 * 1024;
// Bodies of error responses are kept up to this size (they are small XML).
constexpr size_t kMaxErrorBody = 64 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

Status transport_status(CURLcode code) {
  std::string msg = std::string("transport: ") + curl_easy_strerror(code);
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_LOGIN_DENIED:
      return Internal(std::move(msg));
    default:
      // Refused, reset, timed out, name resolution, partial body, ...: the
      // server may well answer the next attempt.
      return Unavailable(std::move(msg));
  }
}

}  // namespace

Transfer::Transfer(ConnectionPool& pool, const sys::Clock& clock, HttpRequest request,
                   TransferOptions options)
    : pool_(pool), clock_(clock), request_(std::move(request)), options_(std::move(options)) {}

Result<std::unique_ptr<Transfer>> Transfer::start(ConnectionPool& pool, const sys::Clock& clock,
                                                  HttpRequest request, TransferOptions options) {
  std::unique_ptr<Transfer> t(new Transfer(pool, clock, std::move(request), std::move(options)));
  t->conn_ = pool.acquire();
  FF_TRY(t->setup());
  return t;
}

Transfer::~Transfer() {
  if (conn_ == nullptr) return;
  // Removing an unfinished transfer makes curl close its connection instead
  // of caching it half-read.
  if (added_) curl_multi_remove_handle(conn_->multi(), conn_->easy());
  curl_slist_free_all(header_list_);
  pool_.release(std::move(conn_));
}

Status Transfer::setup() {
  CURL* e = conn_->easy();
  bool ok = true;
  auto set = [&ok](CURLcode c) { ok = ok && c == CURLE_OK; };
  set(curl_easy_setopt(e, CURLOPT_URL, request_.url.c_str()));
  set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
  // The path is signed as sent: curl must not squash "/./" or "/../".
  set(curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L));
  set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf_));
  set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(options_.connect_timeout.count())));
  set(curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L));
  set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https"));
  // S3 speaks HTTP/1.1; one request per connection keeps pausing simple.
  set(curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1)));
  set(curl_easy_setopt(e, CURLOPT_BUFFERSIZE, kReceiveBufferSize));
  set(curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, kUploadBufferSize));
  set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::on_header));
  set(curl_easy_setopt(e, CURLOPT_HEADERDATA, this));
  set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::on_write));
  set(curl_easy_setopt(e, CURLOPT_WRITEDATA, this));
  if (!options_.ca_file.empty()) set(curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str()));

  const std::string& m = request_.method;
  if (m == "GET") {
    set(curl_easy_setopt(e, CURLOPT_HTTPGET, 1L));
  } else if (m == "HEAD") {
    set(curl_easy_setopt(e, CURLOPT_NOBODY, 1L));
  } else if (m == "PUT" || m == "POST") {
    const uint64_t size = request_.stream_body_size.value_or(request_.body.size());
    set(curl_easy_setopt(e, CURLOPT_UPLOAD, 1L));
    set(curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size)));
    // A streamed body cannot be replayed: never bet it on a reused connection
    // that may turn out dead after the first bytes went out.
    if (request_.stream_body_size) set(curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L));
    set(curl_easy_setopt(e, CURLOPT_READFUNCTION, &Transfer::on_read));
    set(curl_easy_setopt(e, CURLOPT_READDATA, this));
    // curl resends the body when a reused connection turns out dead; that needs a rewind.
    set(curl_easy_setopt(
        e, CURLOPT_SEEKFUNCTION, +[](void* self, curl_off_t offset, int origin) -> int {
          auto* t = static_cast<Transfer*>(self);
          if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
          if (t->request_.stream_body_size) {
            // Only "from the start" before anything was taken.
            if (offset != 0 || t->sent_ != 0) return CURL_SEEKFUNC_CANTSEEK;
          } else if (static_cast<size_t>(offset) > t->request_.body.size()) {
            return CURL_SEEKFUNC_CANTSEEK;
          }
          t->sent_ = static_cast<size_t>(offset);
          return CURL_SEEKFUNC_OK;
        }));
    set(curl_easy_setopt(e, CURLOPT_SEEKDATA, this));
    if (m == "POST") set(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "POST"));
  } else {
    set(curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str()));
  }

  for (const auto& [name, value] : request_.headers) {
    // "Name;" is curl's spelling of a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    header_list_ = curl_slist_append(header_list_, line.c_str());
  }
  // No "Expect: 100-continue" round trip before bodies.
  header_list_ = curl_slist_append(header_list_, "Expect:");
  set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list_));
  if (!ok || header_list_ == nullptr) return Internal("transport: cannot configure request");

  if (curl_multi_add_handle(conn_->multi(), e) != CURLM_OK) {
    return Internal("transport: cannot start request");
  }
  added_ = true;
  return OkStatus();
}

size_t Transfer::on_header(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const size_t total = size * n;
  t->progress_ += total;
  std::string_view line = trim(std::string_view(data, total));
  if (line.substr(0, 5) == "HTTP/") {
    // A new response (after 1xx or a retry): forget the previous one's headers.
    t->headers_.clear();
    t->headers_done_ = false;
    size_t sp = line.find(' ');
    t->status_ =
        sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
  } else if (line.empty()) {
    if (t->status_ >= 200) t->headers_done_ = true;
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string name = lower(trim(line.substr(0, colon)));
    std::string value(trim(line.substr(colon + 1)));
    auto [it, inserted] = t->headers_.emplace(name, value);
    if (!inserted) it->second += "," + value;
  }
  return total;
}

size_t Transfer::on_write(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  const size_t total = size * n;
  t->progress_ += total;
  if (!t->streaming_body()) {
    const bool success = t->status_ / 100 == 2;
    const size_t limit = success ? t->options_.max_buffered_body : kMaxErrorBody;
    if (t->body_.size() + total > limit) {
      if (success) {
        t->body_overflow_ = true;
        return 0;  // fails the transfer with CURLE_WRITE_ERROR
      }
      t->body_.append(data, limit - t->body_.size());
      return total;
    }
    t->body_.append(data, total);
    return total;
  }
  if (t->out_ != nullptr && t->out_len_ < t->out_cap_) {
    const size_t take = std::min(total, t->out_cap_ - t->out_len_);
    std::memcpy(t->out_ + t->out_len_, data, take);
    t->out_len_ += take;
    t->spill_.append(data + take, total - take);
    return total;
  }
  if (t->spill_.size() - t->spill_pos_ < kSpillLimit) {
    t->spill_.append(data, total);
    return total;
  }
  // The caller is not reading: hold the data in curl until it does.
  t->paused_ = true;
  return CURL_WRITEFUNC_PAUSE;
}

size_t Transfer::on_read(char* data, size_t size, size_t n, void* self) {
  auto* t = static_cast<Transfer*>(self);
  if (t->request_.stream_body_size) {
    if (t->in_.empty()) {
      if (t->sent_ >= *t->request_.stream_body_size) return 0;
      // The caller has not produced the next bytes yet.
      t->upload_paused_ = true;
      return CURL_READFUNC_PAUSE;
    }
    const size_t take = std::min(size * n, t->in_.size());
    std::memcpy(data, t->in_.data(), take);
    t->in_.remove_prefix(take);
    t->sent_ += take;
    t->progress_ += take;
    return take;
  }
  const size_t take = std::min(size * n, t->request_.body.size() - t->sent_);
  std::memcpy(data, t->request_.body.data() + t->sent_, take);
  t->sent_ += take;
  t->progress_ += take;
  return take;
}

Status Transfer::drive(const std::function<bool()>& until) {
  auto last_progress = clock_.monotonic_now();
  uint64_t seen = progress_;
  while (!done_ && !until()) {
    int running = 0;
    CURLMcode mc = curl_multi_perform(conn_->multi(), &running);
    if (mc != CURLM_OK) return Internal(std::string("transport: ") + curl_multi_strerror(mc));
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(conn_->multi(), &queued)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == conn_->easy()) {
        done_ = true;
        curl_result_ = msg->data.result;
      }
    }
    if (done_ || until()) break;
    const auto now = clock_.monotonic_now();
    if (progress_ != seen) {
      seen = progress_;
      last_progress = now;
    } else if (now - last_progress >= options_.stall_timeout) {
      return Unavailable("transport: no progress for " +
                         std::to_string(options_.stall_timeout.count()) + " ms");
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(options_.stall_timeout -
                                                                      (now - last_progress));
    int wait_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 1, 1000));
    mc = curl_multi_poll(conn_->multi(), nullptr, 0, wait_ms, nullptr);
    if (mc != CURLM_OK) return Internal(std::string("transport: ") + curl_multi_strerror(mc));
  }
  return OkStatus();
}

Status Transfer::write_body(std::string_view data) {
  if (data.empty()) return OkStatus();
  in_ = data;
  if (upload_paused_) {
    upload_paused_ = false;
    if (curl_easy_pause(conn_->easy(), CURLPAUSE_CONT) != CURLE_OK) {
      in_ = {};
      return Unavailable("transport: cannot resume upload");
    }
  }
  Status s = drive([this] { return in_.empty(); });
  const bool taken = in_.empty();
  in_ = {};
  FF_TRY(s);
  if (taken) return OkStatus();
  FF_TRY(end_status());
  return Unavailable("transport: the server ended the exchange before the body was sent");
}

Status Transfer::end_status() const {
  if (curl_result_ == CURLE_OK) return OkStatus();
  if (body_overflow_) return Internal("transport: response body too large");
  if (errbuf_[0] != '\0')
    spdlog::debug("s3 transport {} {}: {}", request_.method, request_.url, errbuf_);
  return transport_status(curl_result_);
}

Status Transfer::wait_headers() {
  FF_TRY(drive([this] { return headers_done_; }));
  if (headers_done_) return OkStatus();
  FF_TRY(end_status());
  return Unavailable("transport: connection ended without a response");
}

std::optional<std::string> Transfer::header(const std::string& lower_name) const {
  auto it = headers_.find(lower_name);
  if (it == headers_.end()) return std::nullopt;
  return it->second;
}

Result<size_t> Transfer::read_body(char* buf, size_t n) {
  if (n == 0) return size_t{0};
  if (spill_pos_ < spill_.size()) {
    const size_t take = std::min(n, spill_.size() - spill_pos_);
    std::memcpy(buf, spill_.data() + spill_pos_, take);
    spill_pos_ += take;
    if (spill_pos_ == spill_.size()) {
      spill_.clear();
      spill_pos_ = 0;
    }
    return take;
  }
  if (!done_) {
    out_ = buf;
    out_cap_ = n;
    out_len_ = 0;
    if (paused_) {
      paused_ = false;
      // May hand the held data straight to on_write, into `buf`.
      if (curl_easy_pause(conn_->easy(), CURLPAUSE_CONT) != CURLE_OK) {
        out_ = nullptr;
        return Unavailable("transport: cannot resume transfer");
      }
    }
    Status s = drive([this] { return out_len_ > 0; });
    out_ = nullptr;
    if (out_len_ > 0) return out_len_;
    FF_TRY(s);
  }
  FF_TRY(end_status());
  return size_t{0};
}

bool Transfer::settle() {
  if (!done_) {
    out_ = nullptr;
    if (paused_) {
      paused_ = false;
      curl_easy_pause(conn_->easy(), CURLPAUSE_CONT);
    }
    int running = 0;
    curl_multi_perform(conn_->multi(), &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(conn_->multi(), &queued)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == conn_->easy()) {
        done_ = true;
        curl_result_ = msg->data.result;
      }
    }
  }
  return done_ && curl_result_ == CURLE_OK;
}

Status Transfer::finish() {
  FF_TRY(drive([] { return false; }));
  return end_status();
}

}  // namespace ff::blob::detail
