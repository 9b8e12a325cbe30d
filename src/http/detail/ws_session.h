// WebSocket session for /ws: a `connected` message, then `?since=` replay from
// the WAL (only when `since` is given, as the seed streamed live records only),
// then every live record the client may see, in seq order.
//
// One write at a time from a queue bounded in messages and bytes; a client
// that falls behind is closed (policy violation), never waited for. One read
// is kept pending so pings, pongs and close frames flow. Template over the
// stream type; instantiated in ws_session_plain.cc / http_session_tls.cc.
//
// The token the client connected with is checked again when it expires (a
// timer) and whenever a credential is revoked (credentials_changed): once it
// no longer verifies, the session sends a close frame (policy violation,
// reason "token expired" or "token revoked") and stops streaming.
#pragma once

#include <deque>
#include <memory>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "common/time.h"
#include "events/hub.h"
#include "http/detail/context.h"
#include "http/detail/session_factory.h"

namespace ff::http::detail {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

template <class Stream>
class WsSession : public SessionBase,
                  public events::Subscriber,
                  public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Context& ctx, Stream&& stream, WsParams p)
      : ctx_(ctx),
        ws_(std::move(stream)),
        expiry_timer_(ws_.get_executor()),
        scope_(std::move(p.scope)),
        role_(std::move(p.role)),
        since_(p.since),
        last_seq_(p.since.value_or(0)),
        request_id_(std::move(p.request_id)),
        route_(p.route),
        token_(std::move(p.token)),
        expires_at_(p.expires_at) {}

  ~WsSession() override {
    uncount();
    ctx_.remove_session(this);
  }

  void run(beast::http::request<beast::http::empty_body> req) {
    ctx_.add_session(this->shared_from_this());
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(beast::http::field::server, "fortfail-orchestrator");
    }));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(req,
                     beast::bind_front_handler(&WsSession::on_accept, this->shared_from_this()));
  }

  void deliver(const wal::RecordPtr& record) override {
    boost::asio::post(ws_.get_executor(), [self = this->shared_from_this(), record] {
      if (self->closed_) return;
      if (self->replaying_) {
        self->pending_.push_back(record);
        if (self->pending_.size() > self->ctx_.options.ws_queue_messages) {
          self->fail_slow("too many records buffered during replay");
        }
        return;
      }
      self->send_record(record);
    });
  }

  void credentials_changed() override {
    boost::asio::post(ws_.get_executor(),
                      [self = this->shared_from_this()] { self->check_token(); });
  }

  void shutdown() override {
    boost::asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      if (self->closed_) return;
      self->closing_ = true;
      if (!self->writing_) self->do_close(websocket::close_code::going_away);
    });
  }

 private:
  using Text = std::shared_ptr<const std::string>;

  void on_accept(beast::error_code ec) {
    if (ec) {
      mark_closed();
      return;
    }
    if (ctx_.options.metrics != nullptr) {
      ctx_.options.metrics->ws_clients.add(1);
      counted_ = true;
    }
    // Without `since`, the stream starts after the last record published
    // before subscribing; the greeting's `since` says which, so a client can
    // reconnect with it and miss nothing.
    uint64_t live_from = ctx_.hub.subscribe(this->shared_from_this(), scope_);
    if (!since_) last_seq_ = live_from;
    // `message` is the seed's; `role` and `since` are ours.
    nlohmann::json hello = {{"event", "connected"},
                            {"message", "Connected to the FortFail event stream"},
                            {"role", role_},
                            {"since", since_.value_or(live_from)}};
    if (!scope_.empty()) hello["agent_id"] = scope_;
    enqueue(std::make_shared<const std::string>(hello.dump()));
    do_read();
    if (since_) start_replay();
    arm_expiry();
  }

  // Wakes at the token's expiry (a second past it, as verification compares
  // whole seconds) to close the session.
  void arm_expiry() {
    int64_t left = expires_at_ - to_unix_seconds(ctx_.api.now()) + 1;
    expiry_timer_.expires_after(std::chrono::seconds(std::max<int64_t>(left, 0)));
    expiry_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: closed
      self->check_token();
      if (!self->closed_ && !self->closing_) self->arm_expiry();
    });
  }

  // Closes the session when its token no longer verifies (expired, revoked).
  void check_token() {
    if (closed_ || closing_ || route_ == nullptr) return;
    auto claims = ctx_.api.authenticate_token(*route_, token_);
    if (claims.ok()) return;
    spdlog::info("ws {}: closing: {}", request_id_, claims.status().message());
    close_reason_ =
        websocket::close_reason(websocket::close_code::policy_error, claims.status().message());
    closing_ = true;
    // Nothing more is sent but the close frame; a write in flight keeps its buffer.
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queued_bytes_ -= queue_.back()->size();
      queue_.pop_back();
    }
    if (!writing_) do_close(websocket::close_code::policy_error);
  }

  void start_replay() {
    replaying_ = true;
    boost::asio::post(ctx_.workers, [self = this->shared_from_this()] { self->replay_batch(); });
  }

  // Runs on a worker: reads the next batch of records after last_replayed_.
  void replay_batch() {
    constexpr size_t kBatch = 1000;
    auto batch = ctx_.replay(replay_from_, kBatch);
    boost::asio::post(
        ws_.get_executor(), [self = this->shared_from_this(), batch = std::move(batch)]() mutable {
          if (self->closed_) return;
          if (!batch.ok()) {
            spdlog::warn("ws {}: replay failed: {}", self->request_id_, batch.status().to_string());
            self->do_close(websocket::close_code::internal_error);
            return;
          }
          for (const auto& r : *batch) {
            self->replay_from_ = r->seq;
            if (events::visible_to(self->scope_, *r)) self->send_record(r);
          }
          if (batch->size() == kBatch) {
            boost::asio::post(self->ctx_.workers, [self] { self->replay_batch(); });
            return;
          }
          self->replaying_ = false;
          auto pending = std::move(self->pending_);
          for (const auto& r : pending) self->send_record(r);
        });
  }

  void send_record(const wal::RecordPtr& r) {
    if (r->seq <= last_seq_) return;  // already sent by the replay
    last_seq_ = r->seq;
    enqueue(Text(r, &r->line));
  }

  void enqueue(Text text) {
    if (closed_ || closing_) return;
    queued_bytes_ += text->size();
    queue_.push_back(std::move(text));
    if (queue_.size() > ctx_.options.ws_queue_messages ||
        queued_bytes_ > ctx_.options.ws_queue_bytes) {
      fail_slow("send queue full");
      return;
    }
    if (!writing_) do_write();
  }

  void fail_slow(const char* why) {
    spdlog::warn("ws {}: closing slow client: {}", request_id_, why);
    if (ctx_.options.metrics != nullptr) {
      ctx_.options.metrics->ws_dropped_messages.inc(queue_.size() + pending_.size());
    }
    queue_.clear();
    queued_bytes_ = 0;
    closing_ = true;
    // Closing without waiting on the peer: it is not reading anyway.
    beast::get_lowest_layer(ws_).close();
    mark_closed();
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(*queue_.front()),
                    beast::bind_front_handler(&WsSession::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    writing_ = false;
    if (ec) {
      mark_closed();
      return;
    }
    if (!queue_.empty()) {
      queued_bytes_ -= queue_.front()->size();
      queue_.pop_front();
    }
    if (closing_) {
      do_close(websocket::close_code::going_away);
      return;
    }
    if (!queue_.empty()) do_write();
  }

  void do_read() {
    ws_.async_read(read_buffer_,
                   beast::bind_front_handler(&WsSession::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec) {
      mark_closed();  // closed by the peer, timed out, or failed
      return;
    }
    read_buffer_.consume(read_buffer_.size());  // clients have nothing to say
    do_read();
  }

  // The session is over: nothing may keep it alive (the expiry timer holds a reference).
  void mark_closed() {
    closed_ = true;
    uncount();
    expiry_timer_.cancel();
  }

  void uncount() {
    if (!counted_) return;
    counted_ = false;
    ctx_.options.metrics->ws_clients.add(-1);
  }

  // The close frame carries close_reason_ when one was set (token checks).
  void do_close(websocket::close_code code) {
    if (closed_) return;
    mark_closed();
    websocket::close_reason reason = close_reason_.code != websocket::close_code::none
                                         ? close_reason_
                                         : websocket::close_reason(code);
    ws_.async_close(reason, [self = this->shared_from_this()](beast::error_code) {});
  }

  Context& ctx_;
  websocket::stream<Stream> ws_;
  boost::asio::steady_timer expiry_timer_;
  std::string scope_;
  std::string role_;
  std::optional<uint64_t> since_;
  uint64_t last_seq_;
  uint64_t replay_from_ = last_seq_;
  std::string request_id_;
  const api::Route* route_;
  std::string token_;
  int64_t expires_at_;
  websocket::close_reason close_reason_;
  beast::flat_buffer read_buffer_;
  std::deque<Text> queue_;
  size_t queued_bytes_ = 0;
  std::vector<wal::RecordPtr> pending_;
  bool replaying_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool counted_ = false;  // in metrics->ws_clients
};

}  // namespace ff::http::detail
