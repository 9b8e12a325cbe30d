#include "cli/job_wait.h"

#include <unistd.h>

#include <thread>

#include "cli/format.h"
#include "cli/rate_meter.h"

namespace ff::cli {

std::unique_ptr<client::EventStream> open_job_stream(Context& ctx) {
  auto token = ctx.token();
  if (!token.ok()) return nullptr;
  auto s = client::EventStream::connect(ctx.client_options(), *token, std::nullopt);
  if (!s.ok()) {
    ctx.err() << "fortfail: no live progress (" << s.status().message() << "); polling instead\n";
    return nullptr;
  }
  return std::move(s).value();
}

std::optional<JobEvent> job_event_of(const nlohmann::json& record, const std::string& job_id) {
  auto try_obj = [&](const nlohmann::json& o) -> std::optional<JobEvent> {
    if (!o.is_object()) return std::nullopt;
    auto jid = o.find("job_id");
    auto et = o.find("event_type");
    if (jid == o.end() || !jid->is_string() || *jid != job_id) return std::nullopt;
    if (et == o.end() || !et->is_string()) return std::nullopt;
    JobEvent e;
    e.event_type = *et;
    if (auto m = o.find("metadata"); m != o.end()) e.metadata = *m;
    if (auto m = o.find("message"); m != o.end() && m->is_string()) e.message = *m;
    return e;
  };
  if (auto e = try_obj(record)) return e;
  for (const char* k : {"data", "payload", "event_data"}) {
    if (auto it = record.find(k); it != record.end()) {
      if (auto e = try_obj(*it)) return e;
    }
  }
  return std::nullopt;
}

Result<nlohmann::json> wait_for_job(Context& ctx, client::EventStream* stream,
                                    const std::string& collection, const std::string& job_id,
                                    std::chrono::seconds timeout) {
  FF_ASSIGN_OR_RETURN(client::ApiClient * api, ctx.api());
  bool tty = ::isatty(STDERR_FILENO) != 0 && !ctx.json;
  std::string last_phase;
  RateMeter meter;
  bool drew = false;
  auto start = std::chrono::steady_clock::now();
  auto next_poll = start;
  auto clear_line = [&] {
    if (drew) ctx.err() << "\r\033[K" << std::flush;
    drew = false;
  };
  while (true) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_poll) {
      auto job = api->get(collection + "/" + job_id);
      if (!job.ok() && job.status().code() != Code::kUnavailable) {
        clear_line();
        return job.status();
      }
      if (job.ok()) {
        std::string status = field(*job, "status");
        if (status == "completed" || status == "failed" || status == "cancelled") {
          clear_line();
          return job;
        }
      }
      next_poll = now + std::chrono::seconds(2);
    }
    if (timeout.count() > 0 && now - start > timeout) {
      clear_line();
      return Unavailable("timed out waiting for job " + job_id);
    }
    if (stream == nullptr) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      continue;
    }
    auto msg = stream->next(std::chrono::milliseconds(500));
    if (!msg.ok()) {
      stream = nullptr;  // closed: keep polling
      continue;
    }
    if (!msg->has_value()) continue;
    auto record = nlohmann::json::parse(**msg, nullptr, false);
    auto ev = job_event_of(record, job_id);
    if (!ev) continue;
    if (ev->event_type.size() > 12 &&
        ev->event_type.compare(ev->event_type.size() - 12, 12, "_in_progress") == 0) {
      const auto& m = ev->metadata;
      uint64_t done = m.is_object() && m.contains("bytes_done") && m["bytes_done"].is_number()
                          ? m["bytes_done"].get<uint64_t>()
                          : 0;
      uint64_t total = m.is_object() && m.contains("bytes_total") && m["bytes_total"].is_number()
                           ? m["bytes_total"].get<uint64_t>()
                           : 0;
      std::string phase = field(m, "phase");
      if (phase == "-") phase = ev->message.empty() ? "working" : ev->message;
      auto rate = meter.sample(phase, done, std::chrono::steady_clock::now());
      if (tty) {
        ctx.err() << "\r\033[K" << render_progress(phase, done, total)
                  << render_rate(rate, done, total) << std::flush;
        drew = true;
      } else if (phase != last_phase && !ctx.json) {
        ctx.err() << phase << "...\n";
      }
      last_phase = phase;
    } else if (ev->event_type.find("completed") != std::string::npos ||
               ev->event_type.find("failed") != std::string::npos || ev->event_type == "error") {
      next_poll = std::chrono::steady_clock::now();  // the outcome is in: confirm it now
    } else if (!tty && !ctx.json) {
      ctx.err() << ev->event_type << "\n";
    }
  }
}

std::string failure_reason(const nlohmann::json& job) {
  auto logs = job.find("logs");
  if (logs == job.end() || !logs->is_array()) return "";
  for (auto it = logs->rbegin(); it != logs->rend(); ++it) {
    std::string t = field(*it, "event_type");
    if (t.find("failed") != std::string::npos || t == "error") return field(*it, "message");
  }
  return "";
}

}  // namespace ff::cli
