// share_work: items handed out one at a time to a few threads (the caller's
// among them), for work whose items are independent and similar in cost:
// sealing a backup's blobs, reading a restore's ranges, writing its files.
//
// Thread-safety: `work` runs on several threads at once.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "common/status.h"

namespace ff {

// Runs work(worker, item) once for each item in [0, items) on `threads`
// threads (at most one per item): the caller's is worker 0, the others are
// started for the call and joined before it returns. Each worker takes the
// next untaken item; after any failure no new item is taken. An exception
// from `work` fails its worker with kInternal "<what>: <message>". Returns
// the failure of the lowest-numbered failed worker, or ok.
Status share_work(size_t items, size_t threads, std::string_view what,
                  const std::function<Status(size_t worker, size_t item)>& work);

}  // namespace ff
