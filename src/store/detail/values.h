// Small value conversions shared by both backends: how times are stored
// (integer unix milliseconds, UTC), page clamping and the job states the
// store itself must recognise.
//
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "common/time.h"
#include "store/store.h"

namespace ff::store::detail {

// Floors to the millisecond: a time always sorts with its stored value.
inline int64_t to_unix_ms(SystemTime t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline SystemTime from_unix_ms(int64_t ms) {
  return SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::milliseconds(ms)));
}

// Page limits outside 1..1000 and negative offsets are clamped, not rejected:
// validation belongs to the API layer, the store only protects itself.
inline Page clamp_page(const Page& p) {
  return Page{std::clamp<int64_t>(p.limit, 1, 1000), std::max<int64_t>(p.offset, 0)};
}

// A job in one of these states is finished; its open commands finish with it.
// (core/job_rules.h holds the rule; the store cannot include core.)
inline bool is_terminal_job_status(std::string_view s) {
  return s == "completed" || s == "failed" || s == "cancelled";
}

}  // namespace ff::store::detail
