// RFC 3339 UTC timestamps ("2026-11-26T18:43:05Z"), the only time format on the wire.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ff {

using SystemTime = std::chrono::system_clock::time_point;

// Whole seconds, "Z" suffix.
std::string format_rfc3339(SystemTime t);
// Millisecond precision ("2026-11-26T18:43:05.123Z"), used for WAL records.
std::string format_rfc3339_ms(SystemTime t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)".
Result<SystemTime> parse_rfc3339(std::string_view s);

int64_t to_unix_seconds(SystemTime t);
SystemTime from_unix_seconds(int64_t s);

}  // namespace ff
