// Restore drills: a `drill` command restores a snapshot exactly as a restore
// does (restore.h, RestoreMode::kDrill) but into a scratch directory
// <AGENT_DRILL_DIR>/<job_id>, proves the restored tree against the snapshot
// and removes the scratch directory again, whatever the outcome.
//
// The proof of a repository-v1 snapshot (prove_repo_tree): the restore has
// already checked every blob and every file's SHA-256 as it wrote; the drill
// then syncs the tree, reads every regular file back from disk and compares
// its SHA-256 and size with the node recorded at backup, and checks each
// directory's entries (nothing missing, nothing extra), symlink targets and
// hard links against the snapshot's trees, which it reads again. A tar
// snapshot has no per-file hashes: its proof is the archive's SHA-256,
// checked before extraction, and an extraction that reached the archive's
// end (count_restored_tree only counts what is on disk).
//
// Not guaranteed: owners, modes, times and xattrs are not compared (they
// depend on the drilling agent's privileges); device nodes an unprivileged
// agent cannot create are skipped.
//
// The scratch directory holds everything a drill writes: the temporary tree,
// the placed tree (<scratch>/tree), a tar drill's downloaded archive. A
// marker file (.fortfail-drill) created with it lets sweep_drill_dir remove
// leftovers of a crashed drill without touching anything else in the
// directory.
//
// Thread-safety: reentrant functions; a DrillScratch belongs to one task.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/repo_restore.h"
#include "agent/restore.h"
#include "common/status.h"
#include "repo/codec.h"

namespace ff::agent {

// What a drill checked and what it found.
struct DrillReport {
  uint64_t files_checked = 0;   // non-directory, non-symlink entries looked at
  uint64_t files_verified = 0;  // of them, files whose content hash matched the backup's
  uint64_t bytes_verified = 0;  // content bytes re-read and matched (tar: the archive's bytes)
  uint64_t dirs_checked = 0;    // the root included
  uint64_t symlinks_checked = 0;
  uint64_t mismatches = 0;
  bool per_file_hashes = true;  // false for tar snapshots
  std::string first_mismatch;   // relative path (or object) of the first problem
  std::string first_problem;    // the first problem, as the failure message

  // Records a mismatch; the first one is kept for the report.
  void mismatch(const std::string& subject, std::string problem);
  // kIntegrity naming the first problem (and how many there were) when
  // there were mismatches, else ok.
  Status verdict() const;
};

struct ProveOptions {
  std::function<bool()> cancelled;  // polled between entries and reads
  // Bytes of content re-read so far, of bytes_total; called often (the caller throttles).
  std::function<void(uint64_t bytes_done, uint64_t bytes_total)> progress;
  uint64_t bytes_total = 0;  // what the restore wrote, for progress
  // Device nodes may be missing (an unprivileged restore cannot create them).
  bool devices_optional = true;
};

// Proves the tree open at `tree_fd` against the snapshot tree `root` read
// from `source` with `codec` (see the header comment). Mismatches are
// recorded in `report` and end in its verdict (kIntegrity); other errors
// (kDataLoss for a tree that cannot be read, kUnavailable when cancelled)
// mean the proof could not be completed.
Status prove_repo_tree(const repo::Codec& codec, PackSource& source, const repo::BlobId& root,
                       int tree_fd, const ProveOptions& options, DrillReport& report);

// The CheckTree of a repository drill: prove_repo_tree on the filled tree,
// with options.bytes_total set to the bytes the restore wrote. The
// references must outlive the returned function.
CheckTree repo_tree_check(const repo::Codec& codec, PackSource& source, const repo::BlobId& root,
                          const ProveOptions& options, DrillReport& report);

// A tar drill's account of the tree open at `tree_fd`: counts its files,
// directories and symlinks into `report` (per_file_hashes false).
Status count_restored_tree(int tree_fd, const ProveOptions& options, DrillReport& report);

// The scratch directory of one drill, removed when the object goes.
class DrillScratch {
 public:
  // Creates `drill_dir` (0700) when missing, removes leftovers of earlier
  // drills in it (sweep_drill_dir), then creates <drill_dir>/<job_id> (0700)
  // with its marker. kValidation for a job id that is not a plain id,
  // kConflict when <drill_dir>/<job_id> exists and is not a drill's,
  // kInternal when a directory cannot be made.
  static Result<DrillScratch> create(const std::string& drill_dir, const std::string& job_id);

  DrillScratch(DrillScratch&& other) noexcept;
  DrillScratch& operator=(DrillScratch&&) = delete;
  ~DrillScratch() { remove(); }

  const std::string& path() const { return path_; }
  // Where the snapshot is restored: <scratch>/tree, confined to the scratch.
  RestoreTarget target() const { return RestoreTarget{path_, "", "tree"}; }
  // Removes the scratch directory and everything in it; true when it is gone.
  bool remove();

 private:
  explicit DrillScratch(std::string path) : path_(std::move(path)) {}
  std::string path_;  // empty once removed or moved from
};

// Removes every directory of `drill_dir` that carries a drill's marker (what
// a crashed drill left). Anything else there is left alone. Returns how many.
size_t sweep_drill_dir(const std::string& drill_dir);

// The drill_completed metadata of `report`.
nlohmann::json drill_completed_metadata(const DrillReport& report, const std::string& format,
                                        int64_t duration_ms);

// The drill_failed metadata for `failure`: the report's first mismatch, or
// the subject the failure message names first ("pack P blob B", "file 'x'",
// "checksum mismatch") when the restore itself stopped at a problem.
nlohmann::json drill_failed_metadata(const DrillReport& report, const Status& failure,
                                     bool scratch_removed);

}  // namespace ff::agent
