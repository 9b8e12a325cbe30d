// restore_repo_tree (repo_restore.h): the tree walk, windowed content fetch
// and file finishing of a repository restore.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "agent/beneath.h"
#include "agent/blob_saver.h"
#include "agent/repo_restore.h"
#include "common/hex.h"
#include "common/shared_work.h"
#include "repo/chunker.h"
#include "repo/tree.h"

namespace ff::agent {

namespace {

// A batch of files is located, fetched and written together; only its
// windows overlap (the next fetched while one is written), so a batch of
// small files that fits one window is fetched, then written, with nothing
// beside it. Batches are large enough to hold several windows of small files.
constexpr size_t kQueuedFiles = 2048;
constexpr size_t kQueuedChunks = 16384;  // chunk references per batch
// Queued files keep their directories open: a batch ends after this many
// changes of directory (at least as many as it holds), well inside the usual
// 1024-descriptor soft limit.
constexpr size_t kQueuedDirs = 256;
// Sealed bytes fetched at once, and blobs (each up to 8 MiB of plaintext);
// two windows are in memory (one written, one fetched). With small files the
// bytes bound, not the count: a window of 32 small files was one short range,
// read by one worker while the others idled.
constexpr uint64_t kWindowBytes = 16u << 20;
constexpr size_t kWindowBlobs = 256;
constexpr size_t kHoleGranule = 64u << 10;   // zero runs this long stay holes in sparse files
constexpr uint64_t kCoalesceGap = 1u << 20;  // read over gaps this small
// Coalesced ranges stop growing here, so a window's reads (and the opening of
// what they bring) spread over the workers.
constexpr uint64_t kMaxRangeBytes = 2u << 20;
// A directory's subtrees are fetched together, up to this many sealed bytes
// (each at most kMaxPrefetchTree): one round of range reads per directory
// instead of two round trips per subdirectory.
constexpr uint64_t kPrefetchTreeBytes = 4u << 20;
constexpr uint64_t kMaxPrefetchTree = 1u << 20;
// Threads creating and writing a window's files (the restoring one included).
constexpr size_t kWriters = 2;

std::string errno_text() { return std::strerror(errno); }

struct timespec ts_of(int64_t ns) {
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1'000'000'000;
    --ts.tv_sec;
  }
  return ts;
}

bool all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

std::pair<std::string, std::string> split_last(const std::string& rel) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos) return {"", rel};
  return {rel.substr(0, slash), rel.substr(slash + 1)};
}

struct FileJob {
  std::string rel;
  repo::Node node;
  // The directory it goes in (null: the restore root, which outlives every
  // job). The file is created when its first content is written, on
  // whichever writer thread gets it, so creating 20,000 files is not one
  // thread's serial work; until then this keeps the directory open.
  std::shared_ptr<const UniqueFd> dir;
  UniqueFd fd;
  uint64_t written = 0;  // bytes of content placed so far (holes included)
  std::unique_ptr<Sha256> sha = std::make_unique<Sha256>();
};

class TreeRestorer {
 public:
  TreeRestorer(const repo::Codec& codec, PackSource& source, int dest_fd,
               const ExtractOptions& options, const repo::Node* root_meta, RepoRestoreStats& stats)
      : codec_(codec),
        source_(source),
        dest_fd_(dest_fd),
        options_(options),
        root_meta_(root_meta),
        stats_(stats) {}

  Result<ExtractResult> run(const repo::BlobId& root) {
    FF_TRY(count_entry("the snapshot root"));
    ++result_.dir_count;
    FF_TRY(restore_dir(nullptr, "", root));
    FF_TRY(flush_files());
    FF_TRY(make_hardlinks());
    FF_TRY(apply_dir_metadata());
    if (root_meta_) apply_metadata(dest_fd_, *root_meta_, ".", true);
    return std::move(result_);
  }

 private:
  void warn(std::string text) {
    std::lock_guard lock(result_mu_);  // writer threads warn too
    if (result_.warnings.size() < options_.max_warnings)
      result_.warnings.push_back(std::move(text));
  }
  bool cancelled() const { return options_.cancelled && options_.cancelled(); }
  Status count_entry(const std::string& rel) {
    if (++entries_ > options_.max_entries) {
      return TooLarge("restore stopped at '" + rel + "': more than " +
                      std::to_string(options_.max_entries) + " entries (" +
                      options_.max_entries_why + ")");
    }
    return OkStatus();
  }
  Status locate(const std::vector<repo::BlobId>& ids);
  Result<repo::Tree> load_tree(const repo::BlobId& id, const std::string& rel);
  // Fetches and decodes `ids` (located subtrees) into trees_, best effort:
  // a tree it cannot get is left to load_tree, which names what failed.
  void prefetch_trees(const std::vector<repo::BlobId>& ids);
  // `dir` is null for the restore root (dest_fd_).
  int fd_of(const std::shared_ptr<const UniqueFd>& dir) const {
    return dir ? dir->get() : dest_fd_;
  }
  Status restore_dir(const std::shared_ptr<const UniqueFd>& dir, const std::string& rel,
                     const repo::BlobId& tree_id);
  Status add_file(const std::shared_ptr<const UniqueFd>& dir, const std::string& rel,
                  repo::Node node);
  Status create_file(FileJob& job);
  Status flush_files();
  // Downloads and opens `ids` (blobs of `type`, at most `max_plain` bytes
  // each) with the source's workers; may run on a helper thread (reads
  // where_, writes `plain` and stats_). REQUIRES: source_.prepare() done.
  Status fetch(const std::vector<repo::BlobId>& ids, std::vector<std::string>& plain,
               repo::BlobType type = repo::BlobType::kData,
               size_t max_plain = repo::ChunkerParams{}.max);
  struct ChunkRef {
    size_t file;   // index into files_
    size_t chunk;  // index into that file's content
  };
  // Writes refs[pos, end) from `plain` (indexed by `index`), finishing files.
  Status write_window(const std::vector<ChunkRef>& refs, size_t pos, size_t end,
                      const std::unordered_map<repo::BlobId, size_t, BlobIdHash>& index,
                      const std::vector<std::string>& plain);
  Status write_at(FileJob& job, std::string_view data);
  Status finish_file(FileJob& job);
  void apply_metadata(int fd, const repo::Node& n, const std::string& rel, bool is_dir);
  Status make_hardlinks();
  Status apply_dir_metadata();

  const repo::Codec& codec_;
  PackSource& source_;
  const int dest_fd_;
  const ExtractOptions& options_;
  const repo::Node* root_meta_;  // may be null
  RepoRestoreStats& stats_;
  std::mutex result_mu_;  // result_ while writer threads run (write_window)
  ExtractResult result_;
  uint64_t entries_ = 0;
  uint64_t declared_bytes_ = 0;
  uint64_t bytes_done_ = 0;
  std::unordered_map<repo::BlobId, BlobLocation, BlobIdHash> where_;
  std::unordered_map<repo::BlobId, repo::Tree, BlobIdHash> trees_;  // prefetched, not yet walked
  std::vector<std::unique_ptr<FileJob>> files_;
  size_t queued_chunks_ = 0;
  size_t queued_dirs_ = 0;                                      // changes of directory among files_
  std::vector<std::pair<std::string, std::string>> hardlinks_;  // path, link target
  std::vector<std::pair<std::string, repo::Node>> dirs_;        // in creation order
};

Status TreeRestorer::locate(const std::vector<repo::BlobId>& ids) {
  return locate_blobs(source_, ids, where_);
}

Result<repo::Tree> TreeRestorer::load_tree(const repo::BlobId& id, const std::string& rel) {
  if (auto it = trees_.find(id); it != trees_.end()) {
    repo::Tree tree = std::move(it->second);
    trees_.erase(it);
    return tree;
  }
  FF_TRY(locate({id}));
  FF_TRY(source_.prepare());
  return read_tree_blob(codec_, source_, id, where_.at(id), rel, &stats_.bytes_downloaded);
}

Status TreeRestorer::restore_dir(const std::shared_ptr<const UniqueFd>& dir, const std::string& rel,
                                 const repo::BlobId& tree_id) {
  const int dir_fd = fd_of(dir);
  FF_ASSIGN_OR_RETURN(repo::Tree tree, load_tree(tree_id, rel));
  // One locate for every subdirectory's tree instead of one each.
  std::vector<repo::BlobId> subtrees;
  for (const auto& n : tree.nodes) {
    if (n.type == repo::NodeType::kDir && n.subtree) subtrees.push_back(*n.subtree);
  }
  FF_TRY(locate(subtrees));
  prefetch_trees(subtrees);
  for (auto& n : tree.nodes) {
    if (cancelled()) return Unavailable("cancelled");
    std::string child = rel.empty() ? n.name : rel + "/" + n.name;
    FF_TRY(count_entry(child));
    const char* name = n.name.c_str();
    switch (n.type) {
      case repo::NodeType::kDir: {
        if (!n.subtree) return InvalidArgument("directory '" + child + "' has no subtree");
        if (::mkdirat(dir_fd, name, 0700) != 0) {
          return Internal("cannot create directory '" + child + "': " + errno_text());
        }
        auto sub = std::make_shared<const UniqueFd>(
            ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (sub->get() < 0) return Internal("cannot open directory '" + child + "'");
        ++result_.dir_count;
        repo::BlobId subtree = *n.subtree;
        dirs_.emplace_back(child, std::move(n));
        FF_TRY(restore_dir(sub, child, subtree));
        break;
      }
      case repo::NodeType::kFile:
        FF_TRY(add_file(dir, child, std::move(n)));
        break;
      case repo::NodeType::kSymlink: {
        if (::symlinkat(n.target.c_str(), dir_fd, name) != 0) {
          return Internal("cannot create symlink '" + child + "': " + errno_text());
        }
        if (options_.restore_owner) ::fchownat(dir_fd, name, n.uid, n.gid, AT_SYMLINK_NOFOLLOW);
        struct timespec ts[2] = {ts_of(n.atime_ns != 0 ? n.atime_ns : n.mtime_ns),
                                 ts_of(n.mtime_ns)};
        ::utimensat(dir_fd, name, ts, AT_SYMLINK_NOFOLLOW);
        ++result_.symlink_count;
        break;
      }
      case repo::NodeType::kHardlink:
        hardlinks_.emplace_back(child, n.link);
        break;
      default: {
        mode_t type = n.type == repo::NodeType::kFifo      ? S_IFIFO
                      : n.type == repo::NodeType::kCharDev ? S_IFCHR
                                                           : S_IFBLK;
        if (::mknodat(dir_fd, name, type | 0600, static_cast<dev_t>(n.rdev)) != 0) {
          warn(child + ": cannot create special file: " + errno_text());
          break;
        }
        UniqueFd fd(::openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (options_.restore_owner) ::fchownat(dir_fd, name, n.uid, n.gid, AT_SYMLINK_NOFOLLOW);
        ::fchmodat(dir_fd, name, n.mode & 0777, 0);
        struct timespec ts[2] = {ts_of(n.atime_ns), ts_of(n.mtime_ns)};
        ::utimensat(dir_fd, name, ts, AT_SYMLINK_NOFOLLOW);
        ++result_.file_count;
        break;
      }
    }
  }
  return OkStatus();
}

void TreeRestorer::prefetch_trees(const std::vector<repo::BlobId>& ids) {
  std::vector<repo::BlobId> wanted;
  BlobIdSet seen;
  uint64_t bytes = 0;
  for (const auto& id : ids) {
    const BlobLocation& l = where_.at(id);
    if (trees_.count(id) || l.length > kMaxPrefetchTree) continue;
    if (bytes + l.length > kPrefetchTreeBytes) break;
    if (!seen.insert(id).second) continue;
    wanted.push_back(id);
    bytes += l.length;
  }
  if (wanted.size() < 2) return;  // one tree: load_tree's own read costs the same
  if (!source_.prepare().ok()) return;
  std::vector<std::string> plain;
  if (!fetch(wanted, plain, repo::BlobType::kTree, kMaxTreeBytes).ok()) return;
  for (size_t i = 0; i < wanted.size(); ++i) {
    auto tree = repo::decode_tree(plain[i]);
    if (tree.ok()) trees_.emplace(wanted[i], std::move(tree).value());
  }
}

Status TreeRestorer::add_file(const std::shared_ptr<const UniqueFd>& dir, const std::string& rel,
                              repo::Node node) {
  declared_bytes_ += node.size;
  if (declared_bytes_ > options_.max_bytes) {
    return TooLarge("restore stopped at '" + rel + "': more than " +
                    std::to_string(options_.max_bytes) + " bytes of files (" +
                    options_.max_bytes_why + ")");
  }
  if (files_.empty() || files_.back()->dir != dir) ++queued_dirs_;
  auto job = std::make_unique<FileJob>();
  job->rel = rel;
  job->dir = dir;
  queued_chunks_ += node.content.size();
  job->node = std::move(node);
  files_.push_back(std::move(job));
  if (files_.size() >= kQueuedFiles || queued_chunks_ >= kQueuedChunks ||
      queued_dirs_ >= kQueuedDirs) {
    return flush_files();
  }
  return OkStatus();
}

Status TreeRestorer::create_file(FileJob& job) {
  int fd = ::openat(fd_of(job.dir), job.node.name.c_str(),
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot create file '" + job.rel + "': " + errno_text());
  job.fd = UniqueFd(fd);
  job.dir.reset();
  return OkStatus();
}

Status TreeRestorer::fetch(const std::vector<repo::BlobId>& ids, std::vector<std::string>& plain,
                           repo::BlobType type, size_t max_plain) {
  struct Range {
    std::string pack;
    uint64_t offset = 0;
    uint64_t length = 0;
    std::vector<size_t> blobs;  // indexes into ids
  };
  std::map<std::string, std::vector<size_t>> by_pack;
  for (size_t i = 0; i < ids.size(); ++i) by_pack[where_.at(ids[i]).pack].push_back(i);
  std::vector<Range> ranges;
  for (auto& [pack, idx] : by_pack) {
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      return where_.at(ids[a]).offset < where_.at(ids[b]).offset;
    });
    for (size_t i : idx) {
      const BlobLocation& l = where_.at(ids[i]);
      if (!ranges.empty() && ranges.back().pack == pack) {
        Range& r = ranges.back();
        uint64_t end = r.offset + r.length;
        if (l.offset >= r.offset && l.offset <= end + kCoalesceGap &&
            l.offset + l.length - r.offset <= kMaxRangeBytes) {
          r.length = std::max(end, l.offset + l.length) - r.offset;
          r.blobs.push_back(i);
          continue;
        }
      }
      ranges.push_back(Range{pack, l.offset, l.length, {i}});
    }
  }
  plain.assign(ids.size(), std::string());
  std::atomic<uint64_t> downloaded{0};
  Status fetched = share_work(
      ranges.size(), source_.workers(), "restore worker", [&](size_t k, size_t r) -> Status {
        const Range& range = ranges[r];
        auto data = source_.read(k, range.pack, range.offset, range.length);
        if (!data.ok()) return data.status().with_context("pack " + range.pack);
        downloaded += data->size();
        for (size_t i : range.blobs) {
          const BlobLocation& l = where_.at(ids[i]);
          std::string_view sealed(data->data() + (l.offset - range.offset), l.length);
          auto opened = codec_.open(type, ids[i], sealed, max_plain);
          if (!opened.ok()) {
            return opened.status().with_context("pack " + range.pack + " blob " +
                                                repo::blob_id_hex(ids[i]));
          }
          plain[i] = std::move(opened).value();
        }
        return OkStatus();
      });
  stats_.bytes_downloaded += downloaded;
  return fetched;
}

Status TreeRestorer::flush_files() {
  if (files_.empty()) return OkStatus();
  std::vector<repo::BlobId> all;
  for (const auto& f : files_)
    all.insert(all.end(), f->node.content.begin(), f->node.content.end());
  FF_TRY(locate(all));
  // The chunk references in file order, cut into windows of bounded size.
  std::vector<ChunkRef> refs;
  for (size_t f = 0; f < files_.size(); ++f) {
    if (files_[f]->node.content.empty()) {
      FF_TRY(create_file(*files_[f]));
      FF_TRY(finish_file(*files_[f]));
    }
    for (size_t c = 0; c < files_[f]->node.content.size(); ++c) refs.push_back({f, c});
  }
  struct Window {
    size_t pos = 0, end = 0;  // refs[pos, end)
    std::vector<repo::BlobId> ids;
    std::unordered_map<repo::BlobId, size_t, BlobIdHash> index;
  };
  std::vector<Window> windows;
  for (size_t pos = 0; pos < refs.size();) {
    Window w;
    w.pos = pos;
    uint64_t bytes = 0, plain_bytes = 0;
    size_t end = pos;
    while (end < refs.size()) {
      const repo::Node& node = files_[refs[end].file]->node;
      const repo::BlobId& id = node.content[refs[end].chunk];
      if (!w.index.count(id)) {
        if (!w.ids.empty() && (bytes >= kWindowBytes || plain_bytes >= kWindowBytes ||
                               w.ids.size() >= kWindowBlobs)) {
          break;
        }
        w.index.emplace(id, w.ids.size());
        w.ids.push_back(id);
        bytes += where_.at(id).length;
        // A file's chunks average its size (one chunk: exactly), so compressible data
        // does not make a window several times kWindowBytes once opened.
        plain_bytes += node.size / node.content.size();
      }
      ++end;
    }
    w.end = end;
    pos = end;
    windows.push_back(std::move(w));
  }
  // Window k+1 is fetched (and verified) on a helper thread while window k
  // is written here: network, decryption and disk overlap.
  std::vector<std::string> current, next;
  if (!windows.empty()) {
    FF_TRY(source_.prepare());
    FF_TRY(fetch(windows[0].ids, current));
  }
  for (size_t k = 0; k < windows.size(); ++k) {
    if (cancelled()) return Unavailable("cancelled");
    Status next_status;
    std::thread ahead;
    if (k + 1 < windows.size()) {
      FF_TRY(source_.prepare());  // tokens are renewed on this thread only
      ahead = std::thread([&, k] {
        try {
          next_status = fetch(windows[k + 1].ids, next);
        } catch (const std::exception& e) {
          next_status = Internal(std::string("restore fetch: ") + e.what());
        }
      });
    }
    Status written = write_window(refs, windows[k].pos, windows[k].end, windows[k].index, current);
    if (ahead.joinable()) ahead.join();
    FF_TRY(written);
    FF_TRY(next_status);
    std::swap(current, next);
    if (options_.progress) options_.progress(bytes_done_, options_.max_bytes);
  }
  files_.clear();
  queued_chunks_ = 0;
  queued_dirs_ = 0;
  // Content locations are not needed again; prefetched trees' stay.
  for (const auto& id : all) where_.erase(id);
  return OkStatus();
}

Status TreeRestorer::write_window(const std::vector<ChunkRef>& refs, size_t pos, size_t end,
                                  const std::unordered_map<repo::BlobId, size_t, BlobIdHash>& index,
                                  const std::vector<std::string>& plain) {
  // A file's references in the window are contiguous: each run is one
  // thread's, so a file's chunks are written (and hashed) in order.
  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t r = pos; r < end;) {
    size_t e = r + 1;
    while (e < end && refs[e].file == refs[r].file) ++e;
    runs.emplace_back(r, e);
    r = e;
  }
  // Consecutive runs of files still to be created in one directory form a
  // group, and a group is one thread's: two threads creating files in the
  // same directory queue on its lock, and the kernel spins for the holder
  // while ext4 allocates the inode (a tenth of a restore's CPU, measured).
  // Files already open (continued from an earlier window) are groups alone.
  auto dir_fd_to_create_in = [&](size_t run) {
    const FileJob& job = *files_[refs[runs[run].first].file];
    return job.fd.get() >= 0 ? -1 : fd_of(job.dir);
  };
  std::vector<std::pair<size_t, size_t>> groups;  // [first run, end run)
  for (size_t k = 0; k < runs.size();) {
    size_t e = k + 1;
    if (int dir = dir_fd_to_create_in(k); dir >= 0) {
      while (e < runs.size() && dir_fd_to_create_in(e) == dir) ++e;
    }
    groups.emplace_back(k, e);
    k = e;
  }
  std::atomic<uint64_t> written{0};
  auto write_run = [&](size_t k) -> Status {
    auto [from, to] = runs[k];
    FileJob& job = *files_[refs[from].file];
    if (job.fd.get() < 0) FF_TRY(create_file(job));
    for (size_t r = from; r < to; ++r) {
      const std::string& data = plain[index.at(job.node.content[refs[r].chunk])];
      job.sha->update(data);
      FF_TRY(write_at(job, data));
      job.written += data.size();
      written += data.size();
      if (refs[r].chunk + 1 == job.node.content.size()) FF_TRY(finish_file(job));
    }
    return OkStatus();
  };
  Status done =
      share_work(groups.size(), kWriters, "restore writer", [&](size_t, size_t g) -> Status {
        for (size_t k = groups[g].first; k < groups[g].second; ++k) FF_TRY(write_run(k));
        return OkStatus();
      });
  bytes_done_ += written;
  return done;
}

Status TreeRestorer::write_at(FileJob& job, std::string_view data) {
  // Sparse files: all-zero granules are skipped (finish_file's ftruncate
  // gives the file its size), so holes come back as holes.
  size_t step = job.node.sparse ? kHoleGranule : std::max<size_t>(data.size(), 1);
  for (size_t at = 0; at < data.size(); at += step) {
    std::string_view piece = data.substr(at, step);
    if (job.node.sparse && all_zero(piece)) continue;
    size_t done = 0;
    while (done < piece.size()) {
      ssize_t w = ::pwrite(job.fd.get(), piece.data() + done, piece.size() - done,
                           static_cast<off_t>(job.written + at + done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return Internal("cannot write file '" + job.rel + "': " + errno_text());
      done += static_cast<size_t>(w);
    }
  }
  return OkStatus();
}

Status TreeRestorer::finish_file(FileJob& job) {
  const repo::Node& n = job.node;
  if (job.written != n.size) {
    return IntegrityError("file '" + job.rel + "': restored " + std::to_string(job.written) +
                          " bytes, the snapshot says " + std::to_string(n.size));
  }
  std::string sha = job.sha->finish_hex();
  if (sha != n.sha256) {
    return IntegrityError("file '" + job.rel + "': SHA-256 mismatch: expected " + n.sha256 +
                          ", got " + sha);
  }
  // Holes at the end are not written: the size says where the file ends.
  if (::ftruncate(job.fd.get(), static_cast<off_t>(n.size)) != 0) {
    return Internal("cannot size file '" + job.rel + "': " + errno_text());
  }
  apply_metadata(job.fd.get(), n, job.rel, false);
  job.fd.reset();
  std::lock_guard lock(result_mu_);
  ++result_.file_count;
  result_.byte_count += n.size;
  return OkStatus();
}

void TreeRestorer::apply_metadata(int fd, const repo::Node& n, const std::string& rel,
                                  bool is_dir) {
  for (const auto& [name, value] : n.xattrs) {
    if (::fsetxattr(fd, name.c_str(), value.data(), value.size(), 0) != 0) {
      warn(rel + ": xattr " + name + " not restored: " + errno_text());
    }
  }
  // Owner before mode: chown clears setuid/setgid.
  if (options_.restore_owner && ::fchown(fd, n.uid, n.gid) != 0) {
    warn(rel + ": owner not restored: " + errno_text());
  }
  uint32_t mode = n.mode & 07777;
  if (!options_.keep_setid) {
    if (mode & S_ISUID) {
      mode &= ~static_cast<uint32_t>(S_ISUID);
      warn(rel + ": setuid bit dropped (AGENT_KEEP_SETID is off)");
    }
    // On a directory setgid only sets the group of new files: harmless.
    if (!is_dir && (mode & S_ISGID)) {
      mode &= ~static_cast<uint32_t>(S_ISGID);
      warn(rel + ": setgid bit dropped (AGENT_KEEP_SETID is off)");
    }
  }
  ::fchmod(fd, mode);
  // Directories and symlinks carry no atime (repo_walk.h): they get their mtime.
  struct timespec ts[2] = {ts_of(n.atime_ns != 0 ? n.atime_ns : n.mtime_ns), ts_of(n.mtime_ns)};
  ::futimens(fd, ts);
}

Status TreeRestorer::make_hardlinks() {
  for (const auto& [rel, link] : hardlinks_) {
    auto [src_parent, src_name] = split_last(link);
    auto [dst_parent, dst_name] = split_last(rel);
    auto refuse = [&] {
      return InvalidArgument("hard link '" + rel + "' names '" + link +
                             "', which is not a file of this restore");
    };
    auto src = open_beneath(dest_fd_, src_parent, O_PATH | O_DIRECTORY);
    if (!src.ok() || src_name.empty()) return refuse();
    struct stat st {};
    if (::fstatat(src->get(), src_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode)) {
      return refuse();
    }
    auto dst = open_beneath(dest_fd_, dst_parent, O_PATH | O_DIRECTORY);
    if (!dst.ok()) return dst.status().with_context("hard link '" + rel + "'");
    if (::linkat(src->get(), src_name.c_str(), dst->get(), dst_name.c_str(), 0) != 0) {
      return Internal("cannot create hard link '" + rel + "': " + errno_text());
    }
    ++result_.hardlink_count;
    ++result_.file_count;
  }
  return OkStatus();
}

Status TreeRestorer::apply_dir_metadata() {
  // Children before parents: a directory's mtime is final once nothing more
  // is created in it, and a read-only one is made read-only last.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    auto fd = open_beneath(dest_fd_, it->first, O_RDONLY | O_DIRECTORY);
    if (!fd.ok()) return fd.status().with_context("directory '" + it->first + "'");
    apply_metadata(fd->get(), it->second, it->first, true);
  }
  return OkStatus();
}

}  // namespace

Result<ExtractResult> restore_repo_tree(const repo::Codec& codec, PackSource& source,
                                        const repo::BlobId& root, int dest_fd,
                                        const ExtractOptions& options, const repo::Node* root_meta,
                                        RepoRestoreStats* stats) {
  RepoRestoreStats local;
  TreeRestorer restorer(codec, source, dest_fd, options, root_meta, stats ? *stats : local);
  return restorer.run(root);
}

}  // namespace ff::agent
