#include "agent/drill.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "agent/paths.h"
#include "common/ids.h"

namespace ff::agent {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMarker = ".fortfail-drill";

bool is_drill_scratch(const fs::path& dir) {
  struct stat st {};
  return ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
         ::lstat((dir / kMarker).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The subject a restore error names first: errors gain their context as a
// prefix ("pack P blob B: ...", "file 'x': ..."), so that is the object.
std::string failure_subject(const std::string& message) {
  size_t colon = message.find(": ");
  return colon == std::string::npos ? message : message.substr(0, colon);
}

}  // namespace

void DrillReport::mismatch(const std::string& subject, std::string problem) {
  if (mismatches++ == 0) {
    first_mismatch = subject;
    first_problem = std::move(problem);
  }
}

Status DrillReport::verdict() const {
  if (mismatches == 0) return OkStatus();
  std::string more =
      mismatches > 1 ? " (" + std::to_string(mismatches) + " mismatches in all)" : std::string();
  return IntegrityError(first_problem + more);
}

Result<DrillScratch> DrillScratch::create(const std::string& drill_dir, const std::string& job_id) {
  FF_TRY(validate_id("job_id", job_id));
  std::error_code ec;
  fs::path dir(drill_dir);
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Internal("cannot create the drill directory: " + std::string(std::strerror(errno)));
    }
  }
  if (!fs::is_directory(dir, ec)) return Internal("the drill directory is not a directory");
  sweep_drill_dir(drill_dir);
  fs::path scratch = dir / job_id;
  // An empty directory is what a crash between mkdir and the marker leaves.
  ::rmdir(scratch.c_str());
  if (::mkdir(scratch.c_str(), 0700) != 0) {
    if (errno == EEXIST) {
      return Conflict("drill directory entry " + job_id +
                      " exists and is not a FortFail drill's; not touched");
    }
    return Internal("cannot create the drill's scratch directory: " +
                    std::string(std::strerror(errno)));
  }
  DrillScratch made(scratch.string());
  int fd = ::open((scratch / kMarker).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot mark the drill's scratch directory");
  ::close(fd);
  return made;
}

DrillScratch::DrillScratch(DrillScratch&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

bool DrillScratch::remove() {
  if (path_.empty()) return true;
  Status s = remove_tree(path_);
  if (!s.ok()) {
    spdlog::error("cannot remove the drill scratch directory {}: {}", path_, s.to_string());
    return false;
  }
  path_.clear();
  return true;
}

size_t sweep_drill_dir(const std::string& drill_dir) {
  size_t removed = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(drill_dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (!is_drill_scratch(it->path())) continue;
    if (remove_tree(it->path().string()).ok()) {
      spdlog::info("removed the leftover of an interrupted drill: {}", it->path().string());
      ++removed;
    }
  }
  return removed;
}

nlohmann::json drill_completed_metadata(const DrillReport& report, const std::string& format,
                                        int64_t duration_ms) {
  return {{"files_checked", report.files_checked},
          {"files_verified", report.files_verified},
          {"bytes_verified", report.bytes_verified},
          {"dirs_checked", report.dirs_checked},
          {"symlinks_checked", report.symlinks_checked},
          {"per_file_hashes", report.per_file_hashes},
          {"format", format},
          {"duration_ms", duration_ms},
          {"scratch_removed", true}};
}

nlohmann::json drill_failed_metadata(const DrillReport& report, const Status& failure,
                                     bool scratch_removed) {
  std::string first = report.first_mismatch;
  uint64_t mismatches = report.mismatches;
  // The restore itself stops at the first damaged blob or file.
  bool damaged = failure.code() == Code::kIntegrity || failure.code() == Code::kDataLoss;
  if (mismatches == 0 && damaged) {
    first = failure_subject(failure.message());
    mismatches = 1;
  }
  return {{"first_mismatch", first},
          {"mismatches", mismatches},
          {"files_checked", report.files_checked},
          {"files_verified", report.files_verified},
          {"scratch_removed", scratch_removed}};
}

}  // namespace ff::agent
