#include "http/server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <mutex>
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
#include "http/detail/tls_context.h"

namespace ff::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Pause between accept attempts after a failure: EMFILE/ENFILE would otherwise
// fail again at once and spin the I/O thread (and the log) until an fd frees.
constexpr std::chrono::milliseconds kAcceptBackoff{50};
// How long a connection over the cap that has not spoken yet may take to send
// its first bytes, and how many may wait at once: past that, the one waiting
// longest is told 503, so a flood of silent connections cannot keep a probe
// that has just connected from its turn.
constexpr std::chrono::milliseconds kProbeGrace{200};
constexpr size_t kMaxProbesWaiting = 16;
// Out of descriptors, each back-off tick takes up to this many waiting
// connections through the spare one: silent ones are told 503 and closed at
// once, so a probe queued behind them is reached within the tick.
constexpr int kSpareAcceptsPerTick = 256;
// Episodes of failed accepts are logged at most this often (with a count).
constexpr std::chrono::seconds kAcceptLogInterval{10};

constexpr std::string_view kBusyResponse =
    "HTTP/1.1 503 Service Unavailable\r\n"
    "Content-Type: application/json\r\n"
    "Retry-After: 1\r\n"
    "Connection: close\r\n"
    "Content-Length: 69\r\n"
    "\r\n"
    "{\"detail\":\"too many connections (ORCH_MAX_CONNECTIONS); retry later\"}";
static_assert(kBusyResponse.size() - kBusyResponse.find("\r\n\r\n") - 4 == 69);

bool out_of_descriptors(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

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

  // The accept loop's state; touched only by its handlers, which run one at a
  // time on `ioc` (the acceptor's executor).
  asio::steady_timer accept_backoff{ioc};
  int spare_fd = -1;            // /dev/null, closed to make room for one probe
  bool accept_failing = false;  // in an episode of failed accepts
  uint64_t unlogged_episodes = 0;
  std::chrono::steady_clock::time_point last_accept_log{};
  // Over-cap connections given kProbeGrace, oldest first; entries may have expired.
  std::mutex waiting_mu;
  std::deque<std::weak_ptr<tcp::socket>> waiting;  // guarded by waiting_mu

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

  ~Impl() {
    if (spare_fd >= 0) ::close(spare_fd);
  }

  void open_spare() {
    if (spare_fd < 0) spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }

  void do_accept() {
    acceptor.async_accept(asio::make_strand(next_io_context()),
                          [this](boost::system::error_code ec, tcp::socket socket) {
                            if (ec == asio::error::operation_aborted || ctx.stopping) return;
                            if (ec) return on_accept_failed(ec);
                            accept_failing = false;
                            admit(std::move(socket), false);
                            do_accept();
                          });
  }

  void on_accept_failed(const boost::system::error_code& ec) {
    bool fds = out_of_descriptors(ec);
    if (!accept_failing) {
      accept_failing = true;
      // Once per episode, and episodes (which may alternate quickly with
      // successes while descriptors are scarce) at most once per interval.
      auto now = std::chrono::steady_clock::now();
      if (now - last_accept_log >= kAcceptLogInterval) {
        last_accept_log = now;
        spdlog::error(
            "accept failed: {} ({} connection(s) open, cap {}); retrying every {} ms{}; {} "
            "earlier episode(s) not logged",
            ec.message(), ctx.session_count(), ctx.options.max_connections, kAcceptBackoff.count(),
            fds ? ", answering health probes through a spare descriptor" : "", unlogged_episodes);
        unlogged_episodes = 0;
      } else {
        ++unlogged_episodes;
      }
    }
    if (fds) drain_through_spare();
    accept_backoff.expires_after(kAcceptBackoff);
    accept_backoff.async_wait([this](boost::system::error_code wec) {
      if (wec || ctx.stopping) return;
      open_spare();
      do_accept();
    });
  }

  // Whether the listen queue is empty. Linux reports a listening socket's
  // queue length in tcpi_unacked; unknown counts as not empty.
  bool listen_queue_empty() {
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(acceptor.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &len) != 0) {
      return false;
    }
    return info.tcpi_unacked == 0;
  }

  // The spare-descriptor trick: give the spare up, take a waiting connection
  // with it; one that has sent its request is served (one health probe), a
  // silent one is told 503 and closed, which frees the descriptor for the next.
  // The last one in the queue is the exception: it may be a probe that has
  // just connected and not written yet (a client writes only once it sees the
  // connection), so it gets the probe grace, keeping the descriptor that long.
  void drain_through_spare() {
    if (spare_fd >= 0) {
      ::close(spare_fd);
      spare_fd = -1;
    }
    // Non-blocking only while no async accept is pending (an async accept
    // on a user-non-blocking acceptor completes at once with would_block).
    boost::system::error_code ec;
    acceptor.non_blocking(true, ec);
    if (ec) return;
    for (int i = 0; i < kSpareAcceptsPerTick; ++i) {
      tcp::socket s(asio::make_strand(next_io_context()));
      acceptor.accept(s, ec);  // would_block when nobody waits
      if (ec) break;
      size_t ready = s.available(ec);
      if (!ec && (ready > 0 || listen_queue_empty())) {
        admit(std::move(s), true);  // keeps the descriptor
        break;
      }
      refuse(s);
    }
    acceptor.non_blocking(false, ec);
  }

  // Starts a session for `socket`: in full under the cap, else (or when it
  // came through the spare descriptor) for one health probe.
  void admit(tcp::socket socket, bool from_spare) {
    boost::system::error_code rec;
    auto ep = socket.remote_endpoint(rec);
    std::string client = rec ? "unknown" : ep.address().to_string();
    socket.set_option(tcp::no_delay(true), rec);
    bool over = from_spare || ctx.session_count() >= ctx.options.max_connections;
    if (!over) return start_session(std::move(socket), std::move(client), false);
    size_t ready = socket.available(rec);
    if (rec) return;
    if (ready > 0) return start_session(std::move(socket), std::move(client), true);
    // Not spoken yet: a probe sends its request right after connecting, an
    // idle connection does not; only the first may keep its descriptor.
    auto sock = std::make_shared<tcp::socket>(std::move(socket));
    {
      std::lock_guard lock(waiting_mu);
      while (waiting.size() >= kMaxProbesWaiting) {
        if (auto oldest = waiting.front().lock()) {
          asio::post(oldest->get_executor(), [oldest] {
            boost::system::error_code ec;
            oldest->cancel(ec);
          });
        }
        waiting.pop_front();
      }
      waiting.push_back(sock);
    }
    auto timer = std::make_shared<asio::steady_timer>(sock->get_executor(), kProbeGrace);
    timer->async_wait([sock](boost::system::error_code wec) {
      if (!wec) sock->cancel(wec);
    });
    sock->async_wait(tcp::socket::wait_read, [this, sock, timer, client = std::move(client)](
                                                 boost::system::error_code wec) mutable {
      timer->cancel();
      if (wec || ctx.stopping) return refuse(*sock);
      start_session(std::move(*sock), std::move(client), true);
    });
  }

  void start_session(tcp::socket socket, std::string client, bool probe_only) {
    if (tls) {
      detail::start_tls_session(ctx, *tls, std::move(socket), std::move(client), probe_only);
    } else {
      detail::start_plain_session(ctx, std::move(socket), std::move(client), probe_only);
    }
  }

  // A plain-HTTP 503 written without waiting (a full socket buffer loses it), then close.
  void refuse(tcp::socket& socket) {
    boost::system::error_code ec;
    if (!tls) {
      socket.non_blocking(true, ec);
      if (!ec) socket.write_some(asio::buffer(kBusyResponse.data(), kBusyResponse.size()), ec);
    }
    socket.close(ec);
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

size_t default_max_connections() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return 65536;
  // A quarter (at least 64) stays for the database, the WAL, object files and
  // the connections answered over the cap.
  uint64_t limit = static_cast<uint64_t>(lim.rlim_cur);
  uint64_t reserve = std::max<uint64_t>(limit / 4, 64);
  uint64_t cap = limit > reserve ? limit - reserve : 0;
  return static_cast<size_t>(std::clamp<uint64_t>(cap, 16, 1 << 20));
}

namespace {
ServerOptions resolved(ServerOptions o) {
  if (o.max_connections == 0) o.max_connections = default_max_connections();
  return o;
}
}  // namespace

Server::Server(ServerOptions options, const api::Api& api, events::Hub& hub,
               core::Notifier& notifier, ReplayFn replay)
    : impl_(std::make_unique<Impl>(resolved(std::move(options)), api, hub, notifier,
                                   std::move(replay))) {}

Server::~Server() { impl_->ctx.join_pools(); }

Status Server::start() {
  auto& o = impl_->ctx.options;
  if (!o.tls_cert.empty()) {
    impl_->tls.emplace(asio::ssl::context::tls_server);
    FF_TRY(detail::configure_tls(*impl_->tls, o.tls_cert, o.tls_key));
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
  impl_->open_spare();
  spdlog::info("serving up to {} connections in full (ORCH_MAX_CONNECTIONS)", o.max_connections);
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

void Server::run_on_workers(std::function<void()> fn) {
  asio::post(impl_->ctx.workers, std::move(fn));
}

}  // namespace ff::http
