// Sequential WAL reader: splits a file into lines with a bounded buffer, checks
// each record and its link to the one before, and stops at the first problem,
// which it reports with its position. Used by Writer::open (recovery), the
// verifier and read_since (WebSocket ?since= replay).
//
// Damage classes (docs/wal-format.md): only the last line may be torn (no
// trailing newline, or not parsable as JSON); that is what a crash during an
// append leaves. Anything else is corruption, reported, never skipped.
//
// Thread-safety: a Reader is used from one thread at a time. read_since may run
// while a Writer appends to the same file; it then treats a half-written last line
// as not there yet.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sys/file_system.h"
#include "wal/format.h"

namespace ff::wal {

// The first bad line of a log.
struct Problem {
  uint64_t seq = 0;        // seq expected at that line
  uint64_t line = 0;       // 1-based line number
  uint64_t offset = 0;     // byte offset of the line's first byte
  std::string what;        // e.g. "hash mismatch", "seq gap: expected 5, found 7"
  bool torn_tail = false;  // it is the last line and only torn, not corrupt
};

// kDataLoss naming the problem's line, offset and seq (no path: messages may reach clients).
Status problem_status(const Problem& problem);

// Reader::Options (outside the class so that it can be a default argument).
struct ReaderOptions {
  // Longest accepted line, its '\n' included; longer ones are corruption.
  size_t max_line_bytes = kMaxRecordBytes;
  // Start point: lines 1..N are only split, not parsed or hashed (a log whose
  // seqs are intact has seq k on line k); checking resumes at the next one,
  // linked to the hash member of line N.
  uint64_t skip_through_seq = 0;
  size_t chunk_bytes = 64 * 1024;
};

class Reader {
 public:
  // Hears about the first problem; reading stops there because the chain cannot
  // be followed past it.
  class Reporter {
   public:
    virtual ~Reporter() = default;
    virtual void corruption(const Problem& problem) = 0;
  };

  using Options = ReaderOptions;

  // `reporter` may be null; otherwise it must outlive the Reader.
  explicit Reader(std::unique_ptr<sys::SequentialFile> file, Options options = {},
                  Reporter* reporter = nullptr);

  // Reads the next good record into *out (may be null to only check). Returns
  // true for a record; false at the clean end of the log or at the first problem
  // (then problem() is set and every later call returns false). Read errors are
  // returned as they come from the file.
  Result<bool> read(Record* out);

  const std::optional<Problem>& problem() const { return problem_; }
  // The last good record (seq 0 and the genesis hash before any).
  const Head& head() const { return head_; }
  // Good records so far, skipped ones included.
  uint64_t records() const { return head_.seq; }
  // Byte offset just past the last good line: where a torn tail starts.
  uint64_t good_bytes() const { return good_bytes_; }

 private:
  enum class LineKind { kLine, kUnterminated, kTooLong, kEnd };

  // Sets *line to the next line (without '\n'), valid until the next call.
  Result<LineKind> next_line(std::string_view* line);
  // Whether every byte of the file has been consumed.
  Result<bool> at_end();
  Status fill();
  bool fail(std::string what, bool torn_tail);
  // Checks a complete line as record head_.seq + 1.
  Result<bool> check_line(std::string_view line, Record* out);

  std::unique_ptr<sys::SequentialFile> file_;
  Options options_;
  Reporter* reporter_;
  std::string buf_;  // unconsumed bytes start at pos_
  size_t pos_ = 0;
  std::string chunk_;
  bool eof_ = false;
  uint64_t line_no_ = 0;      // of the line last returned by next_line
  uint64_t line_offset_ = 0;  // its first byte
  uint64_t next_offset_ = 0;  // first byte of the line after it
  uint64_t good_bytes_ = 0;
  Head head_;
  std::optional<Problem> problem_;
};

// Records with seq > `since`, at most `max_records`, in seq order, from the log at
// `path` (for ?since= replay). Records from 1..since are not checked (see
// Options::skip_through_seq). A torn last line ends the result quietly; other
// damage -> kDataLoss. May return records whose append is still waiting for its
// sync: a caller that needs durable ones only keeps seq <= Writer::head().seq.
Result<std::vector<RecordPtr>> read_since(sys::FileSystem& fs, const std::string& path,
                                          uint64_t since, size_t max_records);

}  // namespace ff::wal
