// The orchestrator's log setup: stderr, UTC times, and either the text
// format (the default) or one JSON object per line (ORCH_LOG_FORMAT=json):
//   {"time":"2026-01-02T03:04:05.678Z","level":"info","message":"..."}
//   {"time":...,"level":"info","event":"access","id":...,"method":...,...}
// See docs/logging.md.
//
// Thread-safety: setup_logging() once, from main, before other threads log.
#pragma once

#include <memory>
#include <string>

#include <spdlog/formatter.h>

namespace ff::orchestrator {

// REQUIRES: `level` and `format` validated by config::load.
void setup_logging(const std::string& level, const std::string& format);

// The JSON line formatter (exposed for tests). Messages of the logger named
// "access" are JSON objects already; their members are merged into the line.
std::unique_ptr<spdlog::formatter> make_json_formatter();

}  // namespace ff::orchestrator
