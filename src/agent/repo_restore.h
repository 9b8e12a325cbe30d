// Repository restore: a repository-v1 snapshot (GET /snapshots/{id} says
// format "repository-v1") rebuilt from its packs into the temporary directory
// of restore.h's install_tree, so confinement, limits, the rename into place
// and the events are the tar restore's.
//
// Order of work: the key is checked first (an encrypted snapshot needs the
// key it was made with). Trees are read from the root down (locate -> ranged
// GET of the pack -> Codec::open, which checks the tag and that the plaintext
// has the expected id -> decode_tree); directories, symlinks, FIFOs and empty
// files are created as met. File content is fetched in windows: the chunk
// ids are located in batches, grouped by pack, nearby ranges coalesced and
// downloaded by a few workers with a connection each, every blob opened
// (verified) before a byte of it is written, then written in order with
// pwrite (all-zero chunks of sparse files stay holes) while each file's
// SHA-256 is computed and compared with the node's. Modes, owners (as root),
// times and xattrs follow; hard links and the directories' own metadata come
// last (a read-only directory would refuse new entries).
//
// Not guaranteed: owners by name (numeric ids are used). The root
// directory's own mode, owner and times come from the snapshot metadata
// ("root"), not from a tree.
//
// Thread-safety: run_repo_restore uses the agent's main loop objects; the
// download workers live inside one restore_repo_tree call.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/agent_api.h"
#include "agent/archive_extract.h"
#include "agent/blob_saver.h"
#include "agent/restore.h"
#include "agent/task_context.h"
#include "common/status.h"
#include "repo/codec.h"
#include "repo/tree.h"

namespace ff::agent {

// The largest tree blob (plaintext) a restore accepts.
inline constexpr size_t kMaxTreeBytes = 64u << 20;

// Where blobs come from: the orchestrator, or a test's memory.
class PackSource {
 public:
  virtual ~PackSource() = default;
  // Number of read() callers that may run at once (worker 0..workers()-1).
  virtual size_t workers() const = 0;
  // Called on the restoring thread before workers start (renews tokens).
  virtual Status prepare() { return OkStatus(); }
  // Where the blobs are (<= 10000 ids); restoring thread only.
  virtual Result<LocateResult> locate(const std::vector<std::string>& ids) = 0;
  // Exactly `length` bytes of `pack` at `offset`; `worker` identifies the
  // calling worker (its own connection). Called concurrently for distinct workers.
  virtual Result<std::string> read(size_t worker, const std::string& pack, uint64_t offset,
                                   uint64_t length) = 0;
};

struct RepoRestoreStats {
  uint64_t bytes_downloaded = 0;  // sealed bytes fetched from packs
};

// Restores the tree `root` into the directory `dest_fd` (empty). Errors name
// the first bad pack, blob or file: kDataLoss for a blob that is missing or
// fails to open, kIntegrity for a file whose SHA-256 or size differs,
// kTooLarge past options' limits, kInvalidArgument for a hostile tree
// (a hard link to something that is not a restored file).
// `root_meta`, when given, is applied to dest_fd last (mode, owner, times).
Result<ExtractResult> restore_repo_tree(const repo::Codec& codec, PackSource& source,
                                        const repo::BlobId& root, int dest_fd,
                                        const ExtractOptions& options, const repo::Node* root_meta,
                                        RepoRestoreStats* stats);

// kPermissionDenied when the snapshot is encrypted with a key this agent does
// not hold: "snapshot <id> is encrypted with key <x>; this agent's key is <y>"
// (or "this agent has no key").
Status check_restore_key(const SnapshotInfo& info, const repo::Codec& codec);

// Reads the tree blob `id` at `loc`, opens it with `codec` (checking its id)
// and decodes it. Errors name the tree, its directory `rel` and the pack.
// Adds the sealed bytes read to *bytes when given.
Result<repo::Tree> read_tree_blob(const repo::Codec& codec, PackSource& source,
                                  const repo::BlobId& id, const BlobLocation& loc,
                                  const std::string& rel, uint64_t* bytes);

// Locates those of `ids` not yet in `where` (batches of <= 10000) and adds
// them; kDataLoss naming the first blob no pack of the snapshot holds.
Status locate_blobs(PackSource& source, const std::vector<repo::BlobId>& ids,
                    std::unordered_map<repo::BlobId, BlobLocation, BlobIdHash>& where);

// install_tree filled by restore_repo_tree from `source`: the restore of a
// repository snapshot into `target` without the orchestrator
// (run_repo_restore passes its HTTP source). `check` as for install_tree.
Result<ExtractResult> install_repo_tree(const repo::Codec& codec, PackSource& source,
                                        const repo::BlobId& root, const repo::Node* root_meta,
                                        const RestoreTarget& target, const std::string& job_id,
                                        const std::string& snapshot_id, ExtractOptions options,
                                        RepoRestoreStats* stats, const CheckTree& check = {});

struct RepoRestoreResult {
  ExtractResult extract;
  uint64_t bytes_downloaded = 0;
};

struct ProveOptions;  // drill.h
struct DrillReport;

// The whole restore of a repository-v1 snapshot into `target` (no events but
// progress: run_restore posts them). A drill passes `prove` and `proof`: the
// tree is proven (drill.h) before it is placed, the findings go to *proof.
Result<RepoRestoreResult> run_repo_restore(TaskContext& ctx, const RestoreRequest& req,
                                           const SnapshotInfo& info, const RestoreTarget& target,
                                           const ProveOptions* prove = nullptr,
                                           DrillReport* proof = nullptr);

}  // namespace ff::agent
