#include "client/event_stream.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "client/http_errors.h"

namespace ff::client {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

struct Target {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path + query
};

Result<Target> parse_target(const std::string& base_url, const std::string& token,
                            std::optional<uint64_t> since) {
  auto parsed = boost::urls::parse_uri(base_url);
  if (!parsed) return InvalidArgument("invalid orchestrator URL: " + base_url);
  boost::urls::url u = *parsed;
  Target t;
  std::string scheme(u.scheme());
  if (scheme == "https" || scheme == "wss") {
    t.tls = true;
  } else if (scheme != "http" && scheme != "ws") {
    return InvalidArgument("orchestrator URL must be http(s): " + base_url);
  }
  t.host = std::string(u.host_address());
  if (t.host.empty()) return InvalidArgument("orchestrator URL has no host: " + base_url);
  t.port = u.has_port() ? std::string(u.port()) : (t.tls ? "443" : "80");
  std::string path(u.encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  boost::urls::url target;
  target.set_encoded_path(path + "/ws");
  target.params().append({"token", token});
  if (since) target.params().append({"since", std::to_string(*since)});
  t.target = std::string(target.encoded_resource());
  return t;
}

}  // namespace

Result<std::string> event_stream_url(const std::string& base_url, const std::string& token,
                                     std::optional<uint64_t> since) {
  FF_ASSIGN_OR_RETURN(Target t, parse_target(base_url, token, since));
  return std::string(t.tls ? "wss://" : "ws://") + t.host + ":" + t.port + t.target;
}

struct EventStream::Impl {
  net::io_context ioc;
  ssl::context ssl_ctx{ssl::context::tls_client};
  std::optional<websocket::stream<beast::tcp_stream>> plain;
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> tls;
  beast::flat_buffer buffer;
  std::thread io_thread;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> queue;  // guarded by mu
  bool closed = false;            // guarded by mu
  std::string close_reason;       // guarded by mu

  template <class F>
  void with_ws(F&& f) {
    if (plain) f(*plain);
    if (tls) f(*tls);
  }

  void finish(std::string reason) {
    std::lock_guard lock(mu);
    if (!closed) {
      closed = true;
      close_reason = std::move(reason);
    }
    cv.notify_all();
  }

  void do_read() {
    with_ws([this](auto& ws) {
      ws.async_read(buffer, [this](beast::error_code ec, size_t) { on_read(ec); });
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      finish(ec == websocket::error::closed ? "event stream closed by the server"
                                            : "event stream broke: " + ec.message());
      return;
    }
    {
      std::lock_guard lock(mu);
      queue.push_back(beast::buffers_to_string(buffer.data()));
    }
    buffer.consume(buffer.size());
    cv.notify_all();
    do_read();
  }
};

EventStream::EventStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventStream::~EventStream() { close(); }

Result<std::unique_ptr<EventStream>> EventStream::connect(const ClientOptions& options,
                                                          const std::string& token,
                                                          std::optional<uint64_t> since) {
  FF_ASSIGN_OR_RETURN(Target t, parse_target(options.base_url, token, since));
  auto impl = std::make_unique<Impl>();
  Impl& s = *impl;
  beast::error_code ec;
  websocket::response_type res;

  if (t.tls) {
    if (options.insecure) {
      s.ssl_ctx.set_verify_mode(ssl::verify_none);
    } else {
      s.ssl_ctx.set_verify_mode(ssl::verify_peer);
      if (!options.ca_file.empty()) s.ssl_ctx.load_verify_file(options.ca_file, ec);
      if (!ec && !options.ca_dir.empty()) s.ssl_ctx.add_verify_path(options.ca_dir, ec);
      if (!ec && options.ca_file.empty() && options.ca_dir.empty()) {
        s.ssl_ctx.set_default_verify_paths(ec);
      }
      if (ec) return InvalidArgument("cannot load CA certificates: " + ec.message());
    }
    s.tls.emplace(s.ioc, s.ssl_ctx);
  } else {
    s.plain.emplace(s.ioc);
  }

  // Resolve, connect, TLS and WebSocket handshakes, all bounded by one deadline.
  tcp::resolver resolver(s.ioc);
  bool done = false;
  std::string step = "resolve";
  auto fail = [&](beast::error_code e) {
    ec = e;
    done = true;
  };
  auto ws_handshake = [&]() {
    step = "handshake";
    s.with_ws([&](auto& ws) {
      beast::get_lowest_layer(ws).expires_after(options.connect_timeout);
      ws.set_option(websocket::stream_base::decorator(
          [ua = options.user_agent](websocket::request_type& req) {
            req.set(beast::http::field::user_agent, ua);
          }));
      ws.async_handshake(res, t.host + ":" + t.port, t.target,
                         [&](beast::error_code e) { fail(e); });
    });
  };
  resolver.async_resolve(t.host, t.port, [&](beast::error_code e, tcp::resolver::results_type r) {
    if (e) return fail(e);
    step = "connect";
    s.with_ws([&, r](auto& ws) {
      auto& layer = beast::get_lowest_layer(ws);
      layer.expires_after(options.connect_timeout);
      layer.async_connect(r, [&](beast::error_code e2, const tcp::endpoint&) {
        if (e2) return fail(e2);
        if (!s.tls) return ws_handshake();
        step = "TLS handshake";
        auto& stream = s.tls->next_layer();
        if (!SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str())) {
          return fail(beast::error_code(static_cast<int>(::ERR_get_error()),
                                        net::error::get_ssl_category()));
        }
        if (!options.insecure) stream.set_verify_callback(ssl::host_name_verification(t.host));
        stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e3) {
          if (e3) return fail(e3);
          ws_handshake();
        });
      });
    });
  });
  s.ioc.run_for(options.connect_timeout + std::chrono::seconds(1));
  if (!done) return Unavailable("event stream: timed out during " + step);
  if (ec) {
    if (ec == websocket::error::upgrade_declined && res.result_int() >= 400) {
      return status_from_http(res.result_int(), res.body()).with_context("event stream");
    }
    return Unavailable("event stream: " + step + " with " + options.base_url +
                       " failed: " + ec.message());
  }
  s.ioc.restart();
  s.with_ws([&](auto& ws) {
    beast::get_lowest_layer(ws).expires_never();
    websocket::stream_base::timeout opt{std::chrono::seconds(30), std::chrono::seconds(60), true};
    ws.set_option(opt);
    ws.read_message_max(4 * 1024 * 1024);
  });
  s.do_read();
  s.io_thread = std::thread([&s] {
    try {
      s.ioc.run();
    } catch (const std::exception& e) {
      s.finish(std::string("event stream failed: ") + e.what());
    }
    s.finish("event stream closed");
  });
  return std::unique_ptr<EventStream>(new EventStream(std::move(impl)));
}

Result<std::optional<std::string>> EventStream::next(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  std::unique_lock lock(s.mu);
  s.cv.wait_for(lock, timeout, [&] { return !s.queue.empty() || s.closed; });
  if (!s.queue.empty()) {
    std::string msg = std::move(s.queue.front());
    s.queue.pop_front();
    return std::optional<std::string>(std::move(msg));
  }
  if (s.closed) return Unavailable(s.close_reason);
  return std::optional<std::string>();
}

void EventStream::close() {
  if (!impl_) return;
  Impl& s = *impl_;
  if (s.io_thread.joinable()) {
    // The keepalive timers keep run() busy forever: stop the loop as soon as
    // the close handshake is done (or at once when there is nothing to close),
    // not when the fallback timer below fires.
    net::post(s.ioc, [&s] {
      bool closing = false;
      s.with_ws([&s, &closing](auto& ws) {
        if (!ws.is_open()) return;
        closing = true;
        ws.async_close(websocket::close_code::normal, [&s](beast::error_code) { s.ioc.stop(); });
      });
      if (!closing) s.ioc.stop();
    });
    auto timer = std::make_shared<net::steady_timer>(s.ioc);
    net::post(s.ioc, [&s, timer] {
      timer->expires_after(std::chrono::seconds(3));
      timer->async_wait([&s](beast::error_code) { s.ioc.stop(); });
    });
    s.io_thread.join();
  }
  s.finish("event stream closed");
}

}  // namespace ff::client
