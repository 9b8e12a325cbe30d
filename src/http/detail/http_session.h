// HTTP session: one connection, requests read and answered one at a time
// (keep-alive), on the connection's strand. Template over the stream type
// (beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>); instantiated in
// http_session_plain.cc and http_session_tls.cc.
//
// Per request: a fresh header parser with a header limit and a deadline; then
// by route kind: a string body (JSON, limited), a streamed upload pushed
// chunk by chunk into a BodySink on the worker pool, or a WebSocket upgrade
// that moves the stream into a WsSession. Blocking handlers run on the worker
// pool; long polls park on the Notifier with a timer.
#pragma once

#include <array>
#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <variant>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "api/errors.h"
#include "http/access_log.h"
#include "http/detail/chunk_pipeline.h"
#include "http/detail/context.h"
#include "http/detail/request_builder.h"
#include "http/detail/response_head.h"
#include "http/detail/session_factory.h"

namespace ff::http::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

// How long a connection over the cap may take to send its request.
inline constexpr std::chrono::seconds kProbeReadTimeout{2};

// The health probes, which a connection over ORCH_MAX_CONNECTIONS may still ask for.
inline bool is_health_probe(std::string_view path) {
  return path == "/health/live" || path == "/health/ready" || path == "/health";
}

template <class Stream>
class HttpSession : public SessionBase, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Context& ctx, Stream&& stream, std::string client_address, bool probe_only = false)
      : ctx_(ctx),
        stream_(std::move(stream)),
        client_address_(std::move(client_address)),
        probe_only_(probe_only),
        timer_(stream_.get_executor()) {}

  ~HttpSession() override { ctx_.remove_session(this); }

  void run() {
    ctx_.add_session(this->shared_from_this());
    boost::asio::dispatch(
        stream_.get_executor(),
        beast::bind_front_handler(&HttpSession::do_read_header, this->shared_from_this()));
  }

  void shutdown() override {
    boost::asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      // Only an idle connection is cut; one mid-request finishes first. A
      // parked long poll is answered now (its timer's handler wakes it).
      if (self->idle_) beast::get_lowest_layer(self->stream_).cancel();
      if (self->parked_) self->timer_.cancel();
    });
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kChunkBytes = 512 * 1024;

  void do_read_header() {
    if (ctx_.stopping || stopping_) return do_close();
    header_parser_.emplace();
    header_parser_->header_limit(static_cast<uint32_t>(ctx_.options.max_header_bytes));
    header_parser_->body_limit(boost::none);
    idle_ = buffer_.size() == 0;
    beast::get_lowest_layer(stream_).expires_after(
        probe_only_ ? std::chrono::seconds(kProbeReadTimeout)
                    : (requests_ == 0 ? ctx_.options.read_timeout : ctx_.options.idle_timeout));
    http::async_read_header(
        stream_, buffer_, *header_parser_,
        beast::bind_front_handler(&HttpSession::on_read_header, this->shared_from_this()));
  }

  void on_read_header(beast::error_code ec, size_t) {
    idle_ = false;
    if (ec == http::error::end_of_stream || ec == boost::asio::error::operation_aborted ||
        ec == beast::error::timeout) {
      return do_close();
    }
    if (ec == http::error::header_limit) {
      keep_alive_ = false;
      return send_error(Status(Code::kTooLarge, "request header too large"), 431);
    }
    if (ec) {
      keep_alive_ = false;
      if (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset) return;
      return send_error(InvalidArgument("malformed HTTP request"));
    }
    ++requests_;
    started_ = Clock::now();
    auto& h = header_parser_->get();
    keep_alive_ = h.keep_alive();
    is_head_ = h.method() == http::verb::head;
    req_ = api::Request{};
    req_.method = std::string(h.method_string());
    req_.client_address =
        forwarded_client(client_address_, h["X-Forwarded-For"], ctx_.options.trusted_proxies);
    req_.request_id = ctx_.new_request_id();
    req_.authorization = std::string(h[http::field::authorization]);
    req_.content_type = std::string(h[http::field::content_type]);
    req_.range = std::string(h[http::field::range]);
    if (auto len = header_parser_->content_length()) req_.content_length = *len;
    origin_ = std::string(h[http::field::origin]);
    expect_continue_ = beast::iequals(h[http::field::expect], "100-continue");
    Status target = parse_target(h.target(), &req_);
    if (!target.ok()) return send_error(target);
    if (probe_only_) {
      // Over the connection cap: one answer, then the descriptor goes back.
      keep_alive_ = false;
      if (!is_health_probe(req_.path)) {
        return write(api::error_response(
            Unavailable("too many connections (ORCH_MAX_CONNECTIONS); retry later"), 1));
      }
    }

    if (h.method() == http::verb::options && ctx_.cors_allowed(origin_)) {
      api::Response r;
      r.status = 204;
      r.content_type.clear();
      r.add_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
      r.add_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Range");
      r.add_header("Access-Control-Max-Age", "600");
      return skip_body_then_write(std::move(r));
    }

    RouteMatch m = ctx_.router.match(is_head_ ? "GET" : req_.method, req_.path);
    if (m.route == nullptr) {
      if (!m.allow.empty()) {
        api::Response r = api::error_response(Status(Code::kConflict, "method not allowed"));
        r.status = 405;
        r.body = R"({"detail":"method not allowed"})";
        r.add_header("Allow", m.allow);
        return skip_body_then_write(std::move(r));
      }
      return skip_body_then_write(api::error_response(NotFound("not found")));
    }
    route_ = m.route;
    req_.params = std::move(m.params);

    if (route_->kind == api::RouteKind::kWebSocket && websocket::is_upgrade(h)) {
      return upgrade();
    }
    if (route_->kind == api::RouteKind::kUpload) return begin_upload();
    read_string_body();
  }

  // --- plain bodies
  void read_string_body() {
    // Beast checks Content-Length against the limit only while parsing the
    // header, which ran without one: check it here.
    if (req_.content_length && *req_.content_length > ctx_.options.max_body_bytes) {
      keep_alive_ = false;
      return send_error(TooLarge("request body too large"));
    }
    string_parser_.emplace(std::move(*header_parser_));
    string_parser_->body_limit(ctx_.options.max_body_bytes);
    if (string_parser_->is_done()) return on_read_body({}, 0);
    send_continue_if_expected([self = this->shared_from_this()] {
      beast::get_lowest_layer(self->stream_).expires_after(self->ctx_.options.read_timeout);
      http::async_read(self->stream_, self->buffer_, *self->string_parser_,
                       beast::bind_front_handler(&HttpSession::on_read_body, self));
    });
  }

  void on_read_body(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      return send_error(TooLarge("request body too large"));
    }
    if (ec) {
      keep_alive_ = false;
      if (ec == beast::error::timeout) return send_error(InvalidArgument("request timed out"), 408);
      return do_close();
    }
    req_.body = std::move(string_parser_->get().body());
    string_parser_.reset();
    dispatch();
  }

  // Reads and discards a small body so the connection can be reused; larger
  // ones close the connection after the response.
  void skip_body_then_write(api::Response r) {
    if (header_parser_ && !header_parser_->is_done()) {
      auto len = header_parser_->content_length();
      if (!len || *len > 64 * 1024) {
        keep_alive_ = false;
        return write(std::move(r));
      }
      string_parser_.emplace(std::move(*header_parser_));
      string_parser_->body_limit(64 * 1024);
      auto pending = std::make_shared<api::Response>(std::move(r));
      beast::get_lowest_layer(stream_).expires_after(ctx_.options.read_timeout);
      http::async_read(stream_, buffer_, *string_parser_,
                       [self = this->shared_from_this(), pending](beast::error_code ec, size_t) {
                         if (ec) self->keep_alive_ = false;
                         self->string_parser_.reset();
                         self->write(std::move(*pending));
                       });
      return;
    }
    write(std::move(r));
  }

  void send_continue_if_expected(std::function<void()> next) {
    if (!expect_continue_) return next();
    expect_continue_ = false;
    auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
    http::async_write(stream_, *cont,
                      [self = this->shared_from_this(), cont, next](beast::error_code ec, size_t) {
                        if (ec) return self->do_close();
                        next();
                      });
  }

  // --- handlers
  void dispatch() {
    const api::Placement placed = ctx_.api.placement(*route_);
    switch (placed.lane) {
      case api::Lane::kWorkers:
        return dispatch_on_workers();
      case api::Lane::kInline:
        if (auto r = run_placed(placed.fast_path)) return on_response(std::move(*r));
        return dispatch_on_workers();
      case api::Lane::kReaders:
        boost::asio::post(*ctx_.readers, [self = this->shared_from_this(), placed] {
          auto r = self->run_placed(placed.fast_path);
          if (!r) return self->dispatch_on_workers();
          self->respond_on_strand(std::move(*r));
        });
        return;
    }
  }

  // The route's fast path, or its whole handler; nullopt when the fast path declined.
  std::optional<api::Response> run_placed(bool fast_path) {
    if (fast_path) return ctx_.api.dispatch_fast(*route_, req_);
    return ctx_.api.dispatch(*route_, req_);
  }

  void dispatch_on_workers() {
    // Counted from here: a request still queued for a worker is unanswered too.
    ctx_.async_started();
    boost::asio::post(ctx_.workers, [self = this->shared_from_this()] {
      self->ctx_.api.dispatch_async(*self->route_, self->req_, [self](api::Response r) {
        self->respond_on_strand(std::move(r));
        self->ctx_.async_answered();
      });
    });
  }

  // From a pool thread: hands `r` back to the connection's strand.
  void respond_on_strand(api::Response r) {
    auto resp = std::make_shared<api::Response>(std::move(r));
    boost::asio::post(stream_.get_executor(), [self = this->shared_from_this(), resp] {
      self->on_response(std::move(*resp));
    });
  }

  void on_response(api::Response resp) {
    if (resp.long_poll) return park(*resp.long_poll);
    write(std::move(resp));
  }

  // --- long polls
  void park(const api::LongPoll& lp) {
    if (ctx_.stopping || stopping_) {
      req_.poll_deadline = Clock::now();
      return dispatch();
    }
    auto woken = std::make_shared<bool>(false);
    std::weak_ptr<HttpSession> weak = this->shared_from_this();
    auto wake = [weak, woken, deadline = lp.deadline] {
      auto self = weak.lock();
      if (!self) return;
      boost::asio::post(self->stream_.get_executor(), [self, woken, deadline] {
        if (*woken) return;
        *woken = true;
        self->parked_ = false;
        self->timer_.cancel();
        if (self->subscription_) self->ctx_.notifier.unsubscribe(self->subscription_);
        self->subscription_ = 0;
        // Shutting down: answer with what there is now rather than park again.
        self->req_.poll_deadline = self->ctx_.stopping || self->stopping_ ? Clock::now() : deadline;
        self->dispatch();
      });
    };
    parked_ = true;
    timer_.expires_at(lp.deadline);
    // The pending timer is what keeps a parked session alive; shutdown()
    // cancels it to answer at once.
    timer_.async_wait([self = this->shared_from_this(), wake](beast::error_code ec) {
      if (!ec || self->ctx_.stopping || self->stopping_) wake();
    });
    subscription_ = ctx_.notifier.subscribe(lp.key, lp.generation, wake);
  }

  // --- uploads
  void begin_upload() {
    boost::asio::post(ctx_.workers, [self = this->shared_from_this()] {
      auto opened = std::make_shared<std::variant<std::unique_ptr<api::BodySink>, api::Response>>(
          self->ctx_.api.begin_upload(*self->route_, self->req_));
      boost::asio::post(self->stream_.get_executor(), [self, opened] {
        if (auto* r = std::get_if<api::Response>(opened.get())) {
          return self->skip_body_then_write(std::move(*r));
        }
        if (self->req_.content_length &&
            *self->req_.content_length > self->ctx_.options.max_upload_bytes) {
          self->keep_alive_ = false;
          return self->send_error(TooLarge("upload larger than the configured maximum"));
        }
        self->sink_ = std::move(std::get<0>(*opened));
        self->upload_parser_.emplace(std::move(*self->header_parser_));
        self->upload_parser_->body_limit(self->ctx_.options.max_upload_bytes);
        self->upload_error_.reset();
        self->pipeline_.emplace(kChunkBytes);
        // After the header the buffer is small, and Beast sizes each socket
        // read by its free capacity (512 bytes at least): give it room for
        // full 64 KiB reads.
        self->buffer_.reserve(kChunkBytes);
        self->send_continue_if_expected([self] { self->run_upload(self->pipeline_->start()); });
      });
    });
  }

  // Socket reads fill one buffer while the worker pool hashes and stores the other.
  void run_upload(ChunkPipeline::Step step) {
    if (step.drain) store_upload_chunk(step.drain->bytes);
    if (step.fill) read_upload_chunk(*step.fill);
    if (step.finished) return finish_upload();
    if (pipeline_->failed() && !pipeline_->busy()) fail_upload();
  }

  void read_upload_chunk(std::span<char> into) {
    if (upload_parser_->is_done()) {
      // A body that ended with the header, or exactly with the last read.
      boost::asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
        self->run_upload(self->pipeline_->filled(0, true));
      });
      return;
    }
    auto& body = upload_parser_->get().body();
    body.data = into.data();
    body.size = into.size();
    beast::get_lowest_layer(stream_).expires_after(ctx_.options.read_timeout);
    http::async_read(stream_, buffer_, *upload_parser_,
                     [self = this->shared_from_this(), into](beast::error_code ec, size_t) {
                       self->on_upload_chunk(ec, into.size());
                     });
  }

  void on_upload_chunk(beast::error_code ec, size_t capacity) {
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      // body_limit: 413. Anything else: the client went away or stalled,
      // nothing was acknowledged and the sink aborts when it is dropped.
      upload_error_ = ec == http::error::body_limit
                          ? TooLarge("upload larger than the configured maximum")
                          : Status(Code::kUnavailable, "connection lost");
      upload_close_only_ = ec != http::error::body_limit;
      pipeline_->fail();
      return run_upload(pipeline_->filled(0, false));
    }
    size_t n = capacity - upload_parser_->get().body().size;
    run_upload(pipeline_->filled(n, upload_parser_->is_done()));
  }

  void store_upload_chunk(std::span<const char> bytes) {
    boost::asio::post(ctx_.workers, [self = this->shared_from_this(), bytes] {
      Status s = self->sink_->write(std::string_view(bytes.data(), bytes.size()));
      boost::asio::post(self->stream_.get_executor(), [self, s] {
        if (!s.ok() && !self->upload_error_) {
          self->upload_error_ = s;
          self->upload_close_only_ = false;
          self->pipeline_->fail();
        }
        self->run_upload(self->pipeline_->drained());
      });
    });
  }

  // Called once nothing is in flight: the sink is no longer used by a worker.
  void fail_upload() {
    sink_.reset();
    upload_parser_.reset();
    pipeline_.reset();
    keep_alive_ = false;
    if (upload_close_only_) return do_close();
    send_error(*upload_error_);
  }

  void finish_upload() {
    boost::asio::post(ctx_.workers, [self = this->shared_from_this()] {
      auto resp = std::make_shared<api::Response>(self->sink_->finish());
      self->sink_.reset();
      boost::asio::post(self->stream_.get_executor(), [self, resp] {
        self->upload_parser_.reset();
        self->pipeline_.reset();
        self->write(std::move(*resp));
      });
    });
  }

  // --- WebSocket upgrade
  void upgrade() {
    std::string token;
    std::optional<uint64_t> since;
    if (const std::string* t = req_.query_param("token")) token = *t;
    if (const std::string* s = req_.query_param("since")) {
      uint64_t seq = 0;
      auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), seq);
      if (ec != std::errc() || p != s->data() + s->size()) {
        return send_error(ValidationError("since: must be a WAL sequence number"));
      }
      since = seq;
    }
    auto claims = ctx_.api.authenticate_token(*route_, token);
    if (!claims.ok()) return send_error(claims.status());
    log_access(101, 0);
    std::string scope = claims->is_agent() ? claims->subject : "";
    start_ws_session(ctx_, std::move(stream_), header_parser_->release(),
                     WsParams{std::move(scope), auth::role_name(claims->role), since,
                              req_.request_id, route_, std::move(token), claims->expires_at});
  }

  // --- responses
  void send_error(const Status& s, int status_override = 0) {
    api::Response r = api::error_response(s);
    if (status_override) r.status = status_override;
    write(std::move(r));
  }

  HeadFields head_fields(bool keep_alive, std::optional<uint64_t> content_length) const {
    HeadFields f;
    f.request_id = req_.request_id;
    if (ctx_.cors_allowed(origin_)) f.cors_origin = origin_;
    f.hsts = ctx_.options.hsts;
    f.keep_alive = keep_alive;
    f.content_length = content_length;
    return f;
  }

  bool keep_alive_after_response() const { return keep_alive_ && !ctx_.stopping && !stopping_; }

  // Head and body go out in one gathered write.
  void write(api::Response r) {
    if (r.stream) return write_stream(std::move(r));
    bool keep = keep_alive_after_response();
    uint64_t size = r.body.size();
    head_.clear();
    append_response_head(head_, r, head_fields(keep, content_length_for(r.status, size)));
    if (is_head_) r.body.clear();
    body_ = std::move(r.body);
    bytes_out_ = size;
    status_ = r.status;
    std::array<boost::asio::const_buffer, 2> out{boost::asio::buffer(head_),
                                                 boost::asio::buffer(body_)};
    boost::asio::async_write(stream_, out,
                             [self = this->shared_from_this(), keep](beast::error_code ec, size_t) {
                               self->on_write(ec, keep);
                             });
  }

  // Streams a BodySource: head first, then chunks read on the worker pool.
  void write_stream(api::Response r) {
    out_source_ = std::move(r.stream);
    out_keep_alive_ = keep_alive_after_response();
    out_remaining_ = is_head_ ? 0 : r.stream_length;
    head_.clear();
    append_response_head(head_, r, head_fields(out_keep_alive_, r.stream_length));
    bytes_out_ = out_remaining_;
    status_ = r.status;
    beast::get_lowest_layer(stream_).expires_after(ctx_.options.read_timeout);
    boost::asio::async_write(stream_, boost::asio::buffer(head_),
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               if (ec || self->out_remaining_ == 0) return self->end_stream(ec);
                               self->download_error_ = {};
                               self->pipeline_.emplace(kChunkBytes);
                               self->run_download(self->pipeline_->start());
                             });
  }

  // The worker pool reads the store into one buffer while the socket sends the other.
  void run_download(ChunkPipeline::Step step) {
    if (step.drain) send_download_chunk(*step.drain);
    if (step.fill) load_download_chunk(*step.fill);
    if (step.finished) return end_stream({});
    if (pipeline_->failed() && !pipeline_->busy()) end_stream(download_error_);
  }

  void load_download_chunk(std::span<char> into) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(into.size(), out_remaining_));
    boost::asio::post(ctx_.workers, [self = this->shared_from_this(), into, want] {
      auto n = self->out_source_->read(into.data(), want);
      boost::asio::post(self->stream_.get_executor(), [self, n] {
        if (!n.ok() || *n == 0) {
          // Headers are out: the only honest signal left is cutting the connection.
          spdlog::error("request {}: object stream failed: {}", self->req_.request_id,
                        n.ok() ? "unexpected end of object" : n.status().to_string());
          self->fail_download(boost::asio::error::broken_pipe);
          return self->run_download(self->pipeline_->filled(0, false));
        }
        self->out_remaining_ -= *n;
        self->run_download(self->pipeline_->filled(*n, self->out_remaining_ == 0));
      });
    });
  }

  void send_download_chunk(ChunkPipeline::Drain chunk) {
    beast::get_lowest_layer(stream_).expires_after(ctx_.options.read_timeout);
    boost::asio::async_write(stream_, boost::asio::buffer(chunk.bytes.data(), chunk.bytes.size()),
                             [self = this->shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) self->fail_download(ec);
                               self->run_download(self->pipeline_->drained());
                             });
  }

  void fail_download(beast::error_code ec) {
    if (pipeline_->failed()) return;
    download_error_ = ec;
    pipeline_->fail();
  }

  void end_stream(beast::error_code ec) {
    bool keep = out_keep_alive_;
    out_source_.reset();
    pipeline_.reset();
    if (ec) keep_alive_ = false;
    on_write(ec, keep && !ec);
  }

  void on_write(beast::error_code ec, bool keep_alive) {
    log_access(status_, bytes_out_);
    body_ = std::string();  // an idle connection holds no answer (lists can be large)
    if (ec) return do_close();
    if (!keep_alive) return do_close();
    route_ = nullptr;
    header_parser_.reset();
    do_read_header();
  }

  void log_access(int status, uint64_t bytes) {
    auto ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    ctx_.observe_request(route_, status, ms / 1000);
    // The path only: query strings may carry a token (/ws?token=).
    ff::http::log_access(ff::http::AccessEntry{
        req_.request_id, req_.client_address.empty() ? client_address_ : req_.client_address,
        req_.method, req_.path,
        route_ != nullptr ? std::string_view(route_->pattern) : std::string_view(), status, bytes,
        ms});
  }

  void do_close() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
      // Lingering close: a client still sending a body we refused (413) must
      // get to read our answer; closing with unread data would reset it.
      linger();
    } else {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::get_lowest_layer(self->stream_).close();
      });
    }
  }

  void linger() {
    constexpr uint64_t kMaxLingerBytes = 64 * 1024 * 1024;
    if (lingered_ > kMaxLingerBytes) return;
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    chunk_.resize(64 * 1024);
    stream_.async_read_some(boost::asio::buffer(chunk_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return;
                              self->lingered_ += n;
                              self->linger();
                            });
  }

  Context& ctx_;
  Stream stream_;
  uint64_t lingered_ = 0;
  std::string client_address_;
  const bool probe_only_;  // accepted over the connection cap
  boost::asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> header_parser_;
  std::optional<http::request_parser<http::string_body>> string_parser_;
  std::optional<http::request_parser<http::buffer_body>> upload_parser_;
  std::unique_ptr<api::BodySink> sink_;
  std::vector<char> chunk_;  // lingering close
  std::optional<ChunkPipeline> pipeline_;
  std::optional<Status> upload_error_;
  bool upload_close_only_ = false;
  beast::error_code download_error_;
  std::unique_ptr<api::BodySource> out_source_;
  std::string head_;  // status line and fields of the response being written
  std::string body_;  // its body, when not streamed
  bool out_keep_alive_ = false;
  uint64_t out_remaining_ = 0;
  api::Request req_;
  const api::Route* route_ = nullptr;
  std::string origin_;
  uint64_t subscription_ = 0;
  uint64_t requests_ = 0;
  uint64_t bytes_out_ = 0;
  int status_ = 0;
  Clock::time_point started_ = Clock::now();
  bool keep_alive_ = true;
  bool is_head_ = false;
  bool expect_continue_ = false;
  bool idle_ = false;
  bool stopping_ = false;
  bool parked_ = false;  // a long poll waits on timer_ and the notifier
};

}  // namespace ff::http::detail
