// fortfail-agent: reads its configuration (environment, then flags), wires the
// API client, token manager, retry policy and agent loop, and runs until
// SIGTERM or SIGINT. Exit codes: 0 after a clean stop, 1 when the orchestrator
// refuses the agent's credentials, 2 for a configuration error.
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <clocale>
#include <cstdio>
#include <optional>
#include <thread>

#include "agent/agent.h"
#include "agent/config.h"
#include "agent/credential_file.h"
#include "repo/codec.h"
#include "repo/key.h"
#include "sys/clock.h"
#include "sys/random.h"

int main(int argc, char** argv) {
  // Repository backups and restores allocate and free many multi-MiB buffers
  // (chunks, sealed blobs, pack ranges) on several threads. A fixed mmap
  // threshold gives each back to the system when freed; glibc's adaptive one
  // would keep them in per-thread heaps and let the RSS creep up.
  mallopt(M_MMAP_THRESHOLD, 512 * 1024);
  // Entry names are UTF-8 in pax headers; libarchive converts via the locale.
  if (std::setlocale(LC_ALL, "C.UTF-8") == nullptr) std::setlocale(LC_ALL, "");

  ff::agent::ParseOutcome outcome;
  auto parsed = ff::agent::parse_agent_config(argc, argv, ff::agent::process_env(), &outcome);
  if (!parsed.ok()) {
    std::fprintf(stderr, "fortfail-agent: %s\n", parsed.status().message().c_str());
    return 2;
  }
  if (outcome.exit_early) {
    std::fputs(outcome.message.c_str(), stdout);
    return 0;
  }
  ff::agent::AgentConfig config = std::move(parsed).value();
  if (ff::Status s = ff::agent::finalize_agent_config(config); !s.ok()) {
    std::fprintf(stderr, "fortfail-agent: %s\n", s.message().c_str());
    return 2;
  }
  if (ff::Status s = ff::agent::check_backup_dir(config); !s.ok()) {
    std::fprintf(stderr, "fortfail-agent: %s\n", s.message().c_str());
    return 2;
  }
  auto logger = spdlog::stderr_color_mt("agent");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);

  // The key is checked before anything else happens: a backup that would
  // silently go out unencrypted because of a typo in the path is worse than
  // not starting.
  std::optional<ff::repo::RepositoryKey> key;
  if (!config.key_file.empty()) {
    auto loaded = ff::repo::load_key_file(config.key_file);
    if (!loaded.ok()) {
      // The message names the path already.
      std::fprintf(stderr, "fortfail-agent: AGENT_KEY_FILE: %s\n",
                   loaded.status().message().c_str());
      return 2;
    }
    key = std::move(loaded).value();
    spdlog::info("repository key {} (from {})", key->key_id, config.key_file);
  } else {
    spdlog::warn(
        "no repository key (AGENT_KEY_FILE): backups are deduplicated and compressed but NOT "
        "encrypted");
  }
  const ff::repo::Codec codec = key ? ff::repo::Codec::keyed(*key) : ff::repo::Codec::plain();

  // Signals go to one thread that turns them into a stop request.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  ff::agent::StopSignal stop;
  std::thread([&stop, set] {
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("received signal {}; finishing the current step", sig);
    stop.request_stop();
  }).detach();

  // Every configured path is absolute by now; "/" lets extraction keep
  // libarchive's no-absolute-paths check on (see archive_extract.h).
  if (::chdir("/") != 0) spdlog::warn("cannot chdir to /");

  ff::client::ApiClient client(config.client_options());
  client.set_abort_check([&stop] { return stop.stop_requested(); });
  ff::sys::Clock& clock = ff::sys::system_clock();
  ff::sys::Random& random = ff::sys::secure_random();
  ff::agent::Retrier retrier(ff::agent::BackoffPolicy{}, clock, random, stop);
  // The agent's own secret: stored by an earlier enrollment, or obtained now
  // by spending the one-time code (the state directory is checked first, so
  // the code is not spent on a secret that could not be kept).
  auto stored = ff::agent::load_agent_secret(config.state_dir);
  if (!stored.ok()) {
    std::fprintf(stderr, "fortfail-agent: %s\n", stored.status().message().c_str());
    return 2;
  }
  std::string agent_secret = stored->value_or("");
  if (agent_secret.empty() && !config.enrollment_code.empty()) {
    ff::Status ready = ff::agent::prepare_state_dir(config.state_dir);
    auto exchanged = ready.ok() ? ff::agent::exchange_enrollment_code(client, config.agent_id,
                                                                      config.enrollment_code)
                                : ff::Result<std::string>(ready);
    if (exchanged.ok()) ready = ff::agent::save_agent_secret(config.state_dir, *exchanged);
    if (!exchanged.ok() || !ready.ok()) {
      std::fprintf(stderr, "fortfail-agent: enrollment: %s\n",
                   (exchanged.ok() ? ready : exchanged.status()).message().c_str());
      return 1;
    }
    agent_secret = *exchanged;
    spdlog::info("enrolled: agent secret stored in {}", config.state_dir);
  } else if (!agent_secret.empty() && !config.enrollment_code.empty()) {
    spdlog::info("already enrolled; AGENT_ENROLLMENT_CODE is not used");
  }
  ff::agent::TokenManager tokens(client, clock, config.agent_id, config.reg_secret, config.jwt,
                                 agent_secret);
  ff::agent::AgentApi api(client, tokens, retrier, config.agent_id);
  ff::agent::Agent agent(config, api, tokens, retrier, clock, random, stop, codec);
  ff::Status s = agent.run();
  if (!s.ok()) {
    std::fprintf(stderr, "fortfail-agent: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
