#include "http/server.h"

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "http/detail/context.h"
#include "http/detail/session_factory.h"

namespace ff::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
std::vector<std::unique_ptr<asio::io_context>> make_io_contexts(int n) {
  std::vector<std::unique_ptr<asio::io_context>> v;
  for (int i = 0; i < std::max(n, 1); ++i) v.push_back(std::make_unique<asio::io_context>(1));
  return v;
}
}  // namespace

// One io_context per I/O thread, connections dealt out in turn: with several
// threads on one io_context, Asio wakes idle threads through a condition
// variable on nearly every handler, and those wake-ups cost more than
// serving a small request.
struct Server::Impl {
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  size_t next_ioc = 0;
  asio::io_context& ioc;  // the first: acceptor, signals, shutdown
  detail::Context ctx;
  tcp::acceptor acceptor{ioc};
  std::optional<asio::ssl::context> tls;
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  std::function<void(int)> signal_handler;
  std::atomic<bool> stopped{false};
  std::unique_ptr<asio::steady_timer> drain_timer;
  std::chrono::steady_clock::time_point drain_deadline;

  Impl(ServerOptions o, const api::Api& a, events::Hub& h, core::Notifier& n, ReplayFn r)
      : iocs(make_io_contexts(o.io_threads)),
        ioc(*iocs.front()),
        ctx(std::move(o), a, h, n, std::move(r)) {
    for (auto& c : iocs) keep_running.push_back(asio::make_work_guard(*c));
  }

  asio::io_context& next_io_context() {
    asio::io_context& c = *iocs[next_ioc];
    next_ioc = (next_ioc + 1) % iocs.size();
    return c;
  }

  void do_accept() {
    acceptor.async_accept(asio::make_strand(next_io_context()), [this](boost::system::error_code ec,
                                                                       tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted) return;
        spdlog::warn("accept failed: {}", ec.message());
      } else {
        boost::system::error_code rec;
        auto ep = socket.remote_endpoint(rec);
        std::string client = rec ? "unknown" : ep.address().to_string();
        socket.set_option(tcp::no_delay(true), rec);
        if (tls) {
          detail::start_tls_session(ctx, *tls, std::move(socket), std::move(client));
        } else {
          detail::start_plain_session(ctx, std::move(socket), std::move(client));
        }
      }
      if (!ctx.stopping) do_accept();
    });
  }

  void wait_signals() {
    signals.async_wait([this](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (signal_handler) signal_handler(sig);
      wait_signals();
    });
  }

  void begin_stop() {
    if (stopped.exchange(true)) return;
    ctx.stopping = true;
    boost::system::error_code ec;
    acceptor.close(ec);
    std::vector<std::shared_ptr<detail::SessionBase>> live;
    {
      std::lock_guard lock(ctx.mu);
      for (auto& [_, w] : ctx.sessions) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
    }
    for (auto& s : live) s->shutdown();
    drain_deadline = std::chrono::steady_clock::now() + ctx.options.shutdown_grace;
    drain_timer = std::make_unique<asio::steady_timer>(ioc);
    drain();
  }

  // Polls until every session has ended or the grace period is over.
  void drain() {
    if (ctx.session_count() == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      if (ctx.session_count() > 0) {
        spdlog::warn("shutdown: forcing {} connection(s) closed", ctx.session_count());
      }
      signals.cancel();
      keep_running.clear();
      for (auto& c : iocs) c->stop();
      return;
    }
    drain_timer->expires_after(std::chrono::milliseconds(50));
    drain_timer->async_wait([this](boost::system::error_code) { drain(); });
  }
};

Server::Server(ServerOptions options, const api::Api& api, events::Hub& hub,
               core::Notifier& notifier, ReplayFn replay)
    : impl_(std::make_unique<Impl>(std::move(options), api, hub, notifier, std::move(replay))) {}

Server::~Server() { impl_->ctx.workers.join(); }

Status Server::start() {
  auto& o = impl_->ctx.options;
  if (!o.tls_cert.empty()) {
    impl_->tls.emplace(asio::ssl::context::tls_server);
    impl_->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    impl_->tls->use_certificate_chain_file(o.tls_cert, ec);
    if (ec) return InvalidArgument("ORCH_TLS_CERT: cannot load certificate chain: " + ec.message());
    impl_->tls->use_private_key_file(o.tls_key, asio::ssl::context::pem, ec);
    if (ec) return InvalidArgument("ORCH_TLS_KEY: cannot load private key: " + ec.message());
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(o.host, ec);
  if (ec) return InvalidArgument("ORCH_LISTEN: invalid address " + o.host);
  tcp::endpoint ep(addr, o.port);
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                       ec.message());
  }
  impl_->wait_signals();
  impl_->do_accept();
  return OkStatus();
}

uint16_t Server::port() const {
  boost::system::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::run() {
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl_->iocs.size(); ++i) {
    threads.emplace_back([this, i] { impl_->iocs[i]->run(); });
  }
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  asio::post(impl_->ioc, [this] { impl_->begin_stop(); });
}

void Server::recheck_credentials() { impl_->ctx.recheck_credentials(); }

void Server::on_signal(std::function<void(int)> fn) { impl_->signal_handler = std::move(fn); }

}  // namespace ff::http
