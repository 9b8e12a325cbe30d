// WAL verification: walks a whole log and reports whether it is intact, and if
// not, where the first problem is. Behind `fortfail-orchestrator wal verify` and
// the readiness check.
//
// Thread-safety: free functions; safe to run concurrently with a Writer on the
// same file (a half-written last line is then reported as a torn tail).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "common/status.h"
#include "sys/file_system.h"
#include "wal/format.h"

namespace ff::wal {

struct VerifyReport {
  bool ok = true;
  uint64_t records = 0;     // good records read
  Head head;                // the last good record
  uint64_t bad_seq = 0;     // seq expected at the first problem
  uint64_t bad_line = 0;    // 1-based line number of the first problem
  uint64_t bad_offset = 0;  // byte offset of that line
  std::string problem;      // e.g. "hash mismatch", "seq gap: expected 5, found 7"
  // Only the last line is torn: still not ok, but the writer cuts it on open.
  bool torn_tail = false;
};

// Reads and checks every record of the log at `path` (streaming; memory does not
// grow with the file). Errors only when the file cannot be read.
Result<VerifyReport> verify_file(sys::FileSystem& fs, const std::string& path);

// Verifies `path` on the real file system and prints a report for people: a
// summary on `out` when intact, the first problem on `err` otherwise. Returns the
// process exit code: 0 intact, 1 damaged (torn tail included), 2 unreadable.
int run_verify_command(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace ff::wal
