// http_post: one blocking HTTP(S) POST for webhook deliveries (libcurl).
// No redirects are followed; the response body is read and discarded (at
// most 64 KiB); `timeout` bounds the whole exchange.
//
// Thread-safety: safe from any thread; each call uses its own handle.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ff::alerts {

struct PostResult {
  std::optional<int> status;  // none when no HTTP answer came (refused, timeout, TLS)
  std::string error;          // why, when status is none
};

// `cancel`, when set to true by another thread, aborts the exchange early.
PostResult http_post(const std::string& url,
                     const std::vector<std::pair<std::string, std::string>>& headers,
                     const std::string& body, std::chrono::milliseconds timeout,
                     const std::atomic<bool>* cancel);

}  // namespace ff::alerts
