// fortfail-orchestrator: the FortFail control plane.
//   fortfail-orchestrator                 serve (configured by environment variables)
//   fortfail-orchestrator wal verify PATH check a WAL file; exit 0 only when intact
//   fortfail-orchestrator routes          print the route table as JSON
//   fortfail-orchestrator --version | --help | --man
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "config/config.h"
#include "config/variables.h"
#include "doc/manpage.h"
#include "http/server.h"
#include "orchestrator/logging.h"
#include "orchestrator/wiring.h"
#include "wal/reader.h"
#include "wal/verifier.h"

namespace {

using namespace ff;

constexpr char kSummary[] = "the FortFail control plane: snapshot catalogue, jobs, audit log";
constexpr char kDescription[] =
    "Serves the FortFail HTTP API, the control panel (/control), the API docs (/docs) and the\n"
    "live event stream (/ws) on ORCH_LISTEN. Every setting comes from an environment\n"
    "variable; a bad value stops start-up with one line naming it.";

// The usage lines of --help and the man page's COMMANDS.
const std::vector<doc::Command>& commands() {
  static const std::vector<doc::Command> kCommands = {
      {"", "serve, configured by the environment variables below"},
      {"wal verify PATH", "check a WAL file; exit 0 only when it is intact"},
      {"routes", "print the route table as JSON"},
      {"--version", "print the version"},
      {"--help", "print this help"},
      {"--man", "print the manual page (roff)"},
  };
  return kCommands;
}

std::string help_text() {
  std::string out =
      std::string("fortfail-orchestrator: ") + kSummary + "\n\n" + kDescription + "\n\nUsage:\n";
  for (const auto& c : commands()) {
    std::string usage = "  fortfail-orchestrator " + std::string(c.usage);
    usage.resize(std::max<size_t>(usage.size() + 2, 42), ' ');
    out += usage + std::string(c.description) + "\n";
  }
  return out + "\n" + doc::render_variables(config::orchestrator_variables());
}

std::string man_page() {
  doc::ManPage page;
  page.name = "fortfail-orchestrator";
  page.summary = kSummary;
  page.description = kDescription;
  page.commands = commands();
  page.variables = config::orchestrator_variables();
  page.files =
      "/etc/fortfail/orchestrator.env: settings of the packaged service (systemd EnvironmentFile)\n"
      "/var/lib/fortfail: the packaged service's database, WAL and local object store";
  return doc::render_man(page);
}

int fail(const std::string& line) {
  std::fprintf(stderr, "fortfail-orchestrator: %s\n", line.c_str());
  return 1;
}

// Builds the whole app on throwaway in-memory parts, only to list its routes.
int print_routes() {
  config::Config c;
  auto dir = std::filesystem::temp_directory_path() / ("ff-routes-" + std::to_string(::getpid()));
  c.database_url = "sqlite://:memory:";
  c.wal_path = (dir / "wal.log").string();
  c.data_dir = (dir / "data").string();
  spdlog::set_level(spdlog::level::off);
  auto app = orchestrator::build_app(c, sys::posix_env());
  std::error_code ec;
  if (!app.ok()) {
    std::filesystem::remove_all(dir, ec);
    return fail(app.status().message());
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : (*app)->api->routes())
    out.push_back({{"method", r.method}, {"path", r.pattern}});
  std::cout << out.dump(2) << "\n";
  std::filesystem::remove_all(dir, ec);
  return 0;
}

int serve() {
  auto loaded = config::load(config::process_env());
  if (!loaded.ok()) {
    // Production checks report every problem, one line each.
    std::istringstream lines(loaded.status().message());
    for (std::string line; std::getline(lines, line);) fail("configuration: " + line);
    return 1;
  }
  const config::Config& c = loaded->config;
  orchestrator::setup_logging(c.log_level, c.log_format);
  for (const auto& w : loaded->warnings) spdlog::warn("WARNING: {}", w);

  auto app = orchestrator::build_app(c, sys::posix_env());
  if (!app.ok()) return fail(app.status().message());
  auto& a = **app;

  http::ServerOptions so;
  so.host = c.listen_host;
  so.port = c.listen_port;
  so.tls_cert = c.tls_cert;
  so.tls_key = c.tls_key;
  so.hsts = c.served_over_https();
  so.io_threads = c.io_threads;
  so.worker_threads = c.worker_threads;
  so.read_timeout = c.read_timeout;
  so.idle_timeout = c.idle_timeout;
  so.max_body_bytes = c.max_body_bytes;
  // Multipart framing adds a little to the object itself.
  so.max_upload_bytes = c.max_object_bytes + 64 * 1024;
  so.cors_origins = c.cors_origins;
  so.trusted_proxies = c.trusted_proxies;
  so.ws_queue_messages = c.ws_queue_messages;
  so.ws_queue_bytes = c.ws_queue_bytes;
  so.max_connections = c.max_connections;
  so.metrics = a.metrics.get();
  sys::FileSystem* fs = a.env.fs;
  std::string wal_path = a.config.wal_path;  // WAL_PATH, or its default
  wal::Writer* writer = a.wal.get();
  http::Server server(
      so, *a.api, a.hub, a.notifier,
      [fs, wal_path, writer, &a](uint64_t since,
                                 size_t max) -> Result<std::vector<wal::RecordPtr>> {
        // Replicas: `since` is a global seq (events/stream_feed.h).
        if (a.feed) return a.feed->replay(since, max);
        // The file may hold records written but not yet synced: replay only
        // durable ones; the rest arrive live.
        uint64_t durable = writer->head().seq;
        FF_ASSIGN_OR_RETURN(auto records, wal::read_since(*fs, wal_path, since, max));
        std::erase_if(records, [durable](const wal::RecordPtr& r) { return r->seq > durable; });
        return records;
      });
  // Event POSTs wait for their group commit without a worker; what may
  // block after it runs back on the workers.
  a.service->set_blocking_executor(
      [&server](std::function<void()> fn) { server.run_on_workers(std::move(fn)); });
  if (Status s = server.start(); !s.ok()) return fail(s.message());
  // Open WebSockets re-check their token whenever something is revoked.
  a.revocations.on_change([&server] { server.recheck_credentials(); });
  server.on_signal([&server](int sig) {
    spdlog::info("signal {}: shutting down", sig);
    server.stop();
  });
  spdlog::info(
      "fortfail-orchestrator {} listening on {}://{}:{} (database: {}, objects: {}, wal: {})",
      FF_VERSION, c.tls_enabled() ? "https" : "http", c.listen_host, server.port(),
      a.store->backend_name(), a.blobs->kind(), wal_path);
  // Objects that reached the store through presigned URLs (or whose status
  // change a crash interrupted) are verified in the background too.
  std::mutex sweep_mu;
  std::condition_variable sweep_cv;
  bool sweep_stop = false;
  // One replica at a time sweeps (store::SingletonLock).
  auto sweep_singleton = a.store->singleton_lock("verification-sweep");
  std::thread sweeper([&] {
    std::unique_lock lock(sweep_mu);
    auto next_sweep = a.env.clock->monotonic_now() + c.verify_sweep_interval;
    auto tick = std::min(c.verify_sweep_interval, c.revocation_refresh);
    while (!sweep_cv.wait_for(lock, tick, [&] { return sweep_stop; })) {
      lock.unlock();
      // Revocations made by another process sharing the database.
      if (Status s = a.service->refresh_revocations(); !s.ok()) {
        spdlog::warn("revocation refresh: {}", s.to_string());
      }
      if (a.env.clock->monotonic_now() < next_sweep) {
        lock.lock();
        continue;
      }
      next_sweep = a.env.clock->monotonic_now() + c.verify_sweep_interval;
      if (!sweep_singleton->held_now()) {  // another replica sweeps
        lock.lock();
        continue;
      }
      auto decided = a.service->sweep_pending();
      if (!decided.ok()) {
        spdlog::warn("verification sweep: {}", decided.status().to_string());
      } else if (*decided > 0) {
        spdlog::info("verification sweep decided {} snapshot(s)", *decided);
      }
      lock.lock();
    }
  });
  // Verify jobs (POST /verify-jobs) run here, one at a time, oldest first
  // (and batched agent sightings are written);
  // a second orchestrator on the same database runs others (claimed by row).
  std::thread verifier([&] {
    std::unique_lock lock(sweep_mu);
    while (!sweep_cv.wait_for(lock, std::chrono::seconds(1), [&] { return sweep_stop; })) {
      lock.unlock();
      // Sightings batched by touch_agent reach the database within a second
      // even when no other request comes to write them.
      if (Status s = a.service->flush_touches(); !s.ok()) {
        spdlog::warn("agent last_seen: {}", s.to_string());
      }
      while (true) {
        auto ran = a.service->run_next_verify_job();
        if (!ran.ok()) spdlog::warn("verify jobs: {}", ran.status().to_string());
        if (!ran.ok() || !*ran) break;
        std::lock_guard stop_lock(sweep_mu);
        if (sweep_stop) break;
      }
      lock.lock();
    }
  });
  if (auto repaired = a.store->reconcile_drill_proofs(); !repaired.ok()) {
    spdlog::warn("drill proofs: {}", repaired.status().to_string());
  } else if (*repaired > 0) {
    spdlog::info("drill proofs: restored {} stamp(s) from completed drills", *repaired);
  }
  a.webhooks->start(a.store->singleton_lock("agent-offline-alerts"));
  a.scheduler->start(a.store->singleton_lock("scheduler"));
  server.run();
  // Before the webhooks: a run finishing now may still raise an alert.
  a.scheduler->stop();
  a.webhooks->stop();
  a.service->request_stop();
  if (Status s = a.service->flush_touches(); !s.ok()) {
    spdlog::warn("agent last_seen at shutdown: {}", s.to_string());
  }
  {
    std::lock_guard lock(sweep_mu);
    sweep_stop = true;
  }
  sweep_cv.notify_all();
  sweeper.join();
  verifier.join();
  if (Status s = a.wal->close(); !s.ok()) {
    spdlog::error("closing the WAL failed: {}", s.to_string());
    return 1;
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--version" || args[0] == "version")) {
    std::cout << "fortfail-orchestrator " << FF_VERSION << "\n";
    return 0;
  }
  if (args.size() == 3 && args[0] == "wal" && args[1] == "verify") {
    return ff::wal::run_verify_command(args[2], std::cout, std::cerr);
  }
  if (args.size() == 1 && args[0] == "routes") return print_routes();
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    std::cout << help_text();
    return 0;
  }
  if (args.size() == 1 && args[0] == "--man") {
    std::cout << man_page();
    return 0;
  }
  if (!args.empty()) {
    std::cerr << "usage: fortfail-orchestrator [wal verify PATH | routes | --version | --help | "
                 "--man]\n";
    return 2;
  }
  return serve();
}
