#include "agent/agent.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "agent/backup.h"
#include "agent/drill.h"
#include "agent/repo_backup.h"
#include "agent/restore.h"

namespace ff::agent {

namespace {

std::string string_field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Agent::Agent(const AgentConfig& config, AgentApi& api, TokenManager& tokens, const Retrier& retrier,
             sys::Clock& clock, sys::Random& random, StopSignal& stop, const repo::Codec& codec)
    : config_(config),
      api_(api),
      tokens_(tokens),
      retrier_(retrier),
      clock_(clock),
      random_(random),
      stop_(stop),
      codec_(codec) {}

Result<std::string> Agent::backup(TaskContext& ctx, const BackupRequest& req) {
  if (config_.backup_format == AgentConfig::BackupFormat::kTar) return run_backup(ctx, req);
  return run_repo_backup(ctx, req);
}

bool Agent::seen(const std::string& job_id) const {
  return !job_id.empty() &&
         std::find(finished_jobs_.begin(), finished_jobs_.end(), job_id) != finished_jobs_.end();
}

void Agent::remember(const std::string& job_id) {
  if (job_id.empty()) return;
  finished_jobs_.push_back(job_id);
  if (finished_jobs_.size() > 256) finished_jobs_.pop_front();
}

void Agent::clean_spool() {
  // Leftovers of a crash: restores start over, backups get a new snapshot.
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(config_.spool_dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind("restore-", 0) == 0 || name.rfind("backup-", 0) == 0) {
      std::filesystem::remove(it->path(), ec);
      ec.clear();
    }
  }
  // A drill interrupted by a crash left its scratch tree.
  sweep_drill_dir(config_.drill_dir);
}

void Agent::handle(const Command& cmd) {
  std::string job_id = string_field(cmd.payload, "job_id");
  if (seen(job_id)) {
    spdlog::info("command {}: job {} already ran here; skipping", cmd.id, job_id);
    return;
  }
  TaskContext ctx{api_, config_, clock_, random_, stop_, codec_};
  try {
    if (cmd.command_type == "restore" || cmd.command_type == "drill") {
      // A drill is a restore into its scratch directory; it never takes a target_path.
      bool drill = cmd.command_type == "drill";
      RestoreRequest req{job_id.empty() ? cmd.id : job_id, string_field(cmd.payload, "snapshot_id"),
                         drill ? std::string() : string_field(cmd.payload, "target_path"),
                         drill ? RestoreMode::kDrill : RestoreMode::kRestore};
      spdlog::info("command {}: {} snapshot {} (job {})", cmd.id, cmd.command_type, req.snapshot_id,
                   req.job_id);
      run_restore(ctx, req).ignore_error();
      if (!stop_.stop_requested()) remember(job_id);
      return;
    }
    if (cmd.command_type == "backup") {
      BackupRequest req{job_id, {}};
      if (auto it = cmd.payload.find("paths"); it != cmd.payload.end() && it->is_array()) {
        for (const auto& p : *it) {
          if (p.is_string()) req.paths.push_back(p.get<std::string>());
        }
      }
      spdlog::info("command {}: backup (job {})", cmd.id, job_id);
      backup(ctx, req).status().ignore_error();
      if (!stop_.stop_requested()) remember(job_id);
      return;
    }
    spdlog::warn("command {}: unknown command type '{}'", cmd.id, cmd.command_type);
    Event e{job_id,
            "",
            "error",
            "unknown command type '" + cmd.command_type + "'",
            {{"command_id", cmd.id}, {"command_type", cmd.command_type}}};
    api_.post_event(e, true).ignore_error();
  } catch (const std::exception& ex) {
    // Malformed payloads must not take the agent down.
    spdlog::error("command {}: {}", cmd.id, ex.what());
    Event e{job_id,
            "",
            "error",
            std::string("command failed: ") + ex.what(),
            {{"command_id", cmd.id}, {"command_type", cmd.command_type}}};
    api_.post_event(e, true).ignore_error();
  }
  remember(job_id);
}

Status Agent::run() {
  spdlog::info("fortfail-agent {} as {} -> {}; backup {} ({}) restore {}", FF_VERSION,
               config_.agent_id, config_.orchestrator_url, config_.backup_dir,
               config_.backup_format == AgentConfig::BackupFormat::kTar ? "tar" : "repository",
               config_.restore_dir);
  if (!config_.restore_roots.empty()) {
    std::string roots;
    for (const auto& r : config_.restore_roots) roots += (roots.empty() ? "" : ",") + r;
    spdlog::info("restores may also land below {}", roots);
  }
  if (config_.keep_setid) spdlog::warn("AGENT_KEEP_SETID: restores keep setuid/setgid bits");
  clean_spool();
  Status token = retrier_.run("obtain token", [&] {
    return Attempt{tokens_.ensure_fresh(), api_.last_retry_after()};
  });
  if (!token.ok() && !stop_.stop_requested()) {
    spdlog::error("cannot obtain an agent token: {}", token.to_string());
    return token;
  }
  auto next_backup = clock_.monotonic_now() + config_.backup_interval;
  bool scheduled = config_.backup_interval.count() > 0;
  bool start_backup = config_.backup_on_start;  // the seed agent's backup at start
  while (!stop_.stop_requested()) {
    if (start_backup || (scheduled && clock_.monotonic_now() >= next_backup)) {
      if (start_backup)
        spdlog::info("backing up {} once at start (BACKUP_ON_START)", config_.backup_dir);
      start_backup = false;
      TaskContext ctx{api_, config_, clock_, random_, stop_, codec_};
      backup(ctx, BackupRequest{}).status().ignore_error();
      next_backup = clock_.monotonic_now() + config_.backup_interval;
      continue;
    }
    auto wait = config_.long_poll;
    if (scheduled) {
      auto until =
          std::chrono::duration_cast<std::chrono::seconds>(next_backup - clock_.monotonic_now());
      wait = std::clamp(until, std::chrono::seconds(0), wait);
    }
    auto t0 = clock_.monotonic_now();
    auto cmds = api_.poll_commands(wait);
    if (stop_.stop_requested()) break;
    if (!cmds.ok()) {
      spdlog::error("polling commands failed: {}", cmds.status().to_string());
      stop_.wait_for(config_.poll_interval);
      continue;
    }
    for (const auto& c : *cmds) {
      if (stop_.stop_requested()) break;
      handle(c);
    }
    bool answered_at_once = clock_.monotonic_now() - t0 < std::chrono::seconds(1);
    if (cmds->empty() && (wait.count() == 0 || answered_at_once)) {
      auto pause = config_.poll_interval;
      if (scheduled) {
        auto until =
            std::chrono::duration_cast<std::chrono::seconds>(next_backup - clock_.monotonic_now());
        pause = std::clamp(until, std::chrono::seconds(0), pause);
      }
      stop_.wait_for(pause);
    }
  }
  spdlog::info("fortfail-agent stopping");
  return OkStatus();
}

}  // namespace ff::agent
