#include "common/shared_work.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace ff {

Status share_work(size_t items, size_t threads, std::string_view what,
                  const std::function<Status(size_t worker, size_t item)>& work) {
  const size_t n = std::min(std::max<size_t>(threads, 1), items);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<Status> errors(n);
  auto run = [&](size_t worker) {
    try {
      for (size_t item = next++; item < items && !failed; item = next++) {
        if (Status s = work(worker, item); !s.ok()) {
          errors[worker] = std::move(s);
          break;
        }
      }
    } catch (const std::exception& e) {
      errors[worker] = Internal(std::string(what) + ": " + e.what());
    }
    if (!errors[worker].ok()) failed = true;
  };
  std::vector<std::thread> helpers;
  for (size_t worker = 1; worker < n; ++worker) helpers.emplace_back(run, worker);
  if (n > 0) run(0);
  for (auto& t : helpers) t.join();
  for (const auto& e : errors) FF_TRY(e);
  return OkStatus();
}

}  // namespace ff
