// `fortfail events [--since N]`: tails the orchestrator's event stream (live
// records only, unless --since asks for a replay first), reconnecting after a
// drop from the last seq seen (or the one the greeting named), so nothing
// published while it was away is missed.
#include <CLI/CLI.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "client/event_stream.h"

namespace ff::cli {

namespace {

std::string summary(const nlohmann::json& r) {
  std::string s;
  for (const char* k : {"job_id", "snapshot_id", "agent_id", "event_type", "status", "message"}) {
    if (r.contains(k) && !r[k].is_null())
      s += std::string(s.empty() ? "" : " ") + k + "=" + cell(r[k]);
  }
  return s;
}

}  // namespace

void add_events(CLI::App& app, Context& ctx, int* exit_code) {
  struct Opts {
    int64_t since = -1;
    int64_t count = 0;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("events", "tail the event stream (the WAL, live)");
  cmd->add_option("--since", o->since,
                  "first replay the records after this seq (default: live records only)");
  cmd->add_option("--count", o->count, "stop after this many records (0: follow forever)");
  cmd->callback([&ctx, exit_code, o] {
    auto token = ctx.token();
    if (!token.ok()) {
      *exit_code = ctx.fail(token.status());
      return;
    }
    std::optional<uint64_t> since;
    if (o->since >= 0) since = static_cast<uint64_t>(o->since);
    int64_t seen = 0;
    int failures = 0;
    while (true) {
      auto stream = client::EventStream::connect(ctx.client_options(), *token, since);
      if (!stream.ok()) {
        if (stream.status().code() != Code::kUnavailable || ++failures > 5) {
          *exit_code = ctx.fail(stream.status());
          return;
        }
        std::this_thread::sleep_for(std::chrono::seconds(failures));
        continue;
      }
      failures = 0;
      while (true) {
        auto msg = (*stream)->next(std::chrono::seconds(30));
        if (!msg.ok()) break;  // reconnect
        if (!msg->has_value()) continue;
        auto r = nlohmann::json::parse(**msg, nullptr, false);
        if (r.is_object() && r.contains("seq") && r["seq"].is_number_unsigned()) {
          since = r["seq"].get<uint64_t>();
        } else if (!since && r.is_object() && field(r, "event") == "connected" &&
                   r.contains("since") && r["since"].is_number_unsigned()) {
          since = r["since"].get<uint64_t>();  // live from here: a reconnect resumes here
        }
        if (ctx.json) {
          ctx.out() << **msg << "\n" << std::flush;
        } else if (r.is_object()) {
          ctx.out() << field(r, "seq") << "  " << field(r, "timestamp") << "  " << field(r, "event")
                    << "  " << summary(r) << "\n"
                    << std::flush;
        }
        if (r.is_object() && field(r, "event") == "connected") continue;
        if (o->count > 0 && ++seen >= o->count) {
          *exit_code = kExitOk;
          return;
        }
      }
      ctx.err() << "fortfail: event stream dropped; reconnecting\n";
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  });
}

}  // namespace ff::cli
