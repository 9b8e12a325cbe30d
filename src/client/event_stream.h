// EventStream: a client of the orchestrator's WebSocket event stream
// (`/ws?token=&since=`): one JSON text message per WAL record, in seq order,
// after a first {"event":"connected"} message. Used by `fortfail events` and by
// `fortfail restore --wait` / `backup --wait` for live progress.
//
// Beast stays inside event_stream.cc (pimpl). A private I/O thread reads
// messages into a queue and answers pings; next() takes them out.
//
// Not guaranteed: delivery across reconnects. A closed stream stays closed;
// callers reconnect with `since` = the last seq they saw.
//
// Thread-safety: next() and close() from one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "client/options.h"
#include "common/status.h"

namespace ff::client {

class EventStream {
 public:
  // Connects to the base URL's /ws (ws:// or wss:// after the http(s) scheme)
  // and completes the WebSocket handshake within options.connect_timeout.
  // A refused upgrade maps like an HTTP error (401 -> kUnauthenticated, ...);
  // network failures -> kUnavailable.
  static Result<std::unique_ptr<EventStream>> connect(const ClientOptions& options,
                                                      const std::string& token,
                                                      std::optional<uint64_t> since);
  ~EventStream();
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // The next text message; nullopt when none arrived within `timeout`;
  // kUnavailable once the stream has closed and every message was taken.
  Result<std::optional<std::string>> next(std::chrono::milliseconds timeout);

  // Sends a close frame and stops the I/O thread (waits at most ~3 s).
  void close();

  struct Impl;

 private:
  explicit EventStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "ws[s]://host:port/prefix/ws?token=...&since=N" for `base_url`; exposed for tests.
Result<std::string> event_stream_url(const std::string& base_url, const std::string& token,
                                     std::optional<uint64_t> since);

}  // namespace ff::client
