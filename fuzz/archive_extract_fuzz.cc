// Archive extraction (src/agent/archive_extract): the input, after a first
// mode byte, is the archive an agent downloaded for a restore (tar, plain or
// zstd/gzip compressed). Each input is extracted into a fresh empty directory
// below a private temporary one, which is emptied afterwards.
//   mode bit 0: run from "/" as the agent does (entry names then stay relative
//   and libarchive's no-absolute-paths flag is on), else from the build's
//   directory (the extractor's own name checks stand in for it). The working
//   directory is restored before returning; run.sh gives libFuzzer absolute
//   paths so that a crash's artifact lands where it should either way.
// Properties: nothing crashes; errors are the documented codes; nothing is
// created beside the destination (an escape through "..", an absolute name
// or a symlink would show up there first).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "agent/archive_extract.h"
#include "agent/paths.h"
#include "fuzz_check.h"

namespace {

const std::string& base_dir() {
  // Never destroyed: the atexit handler below still reads it.
  static const std::string& dir = *new std::string([] {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/ff-fuzz-archive.XXXXXX";
    FF_FUZZ_CHECK(::mkdtemp(templ.data()) != nullptr);
    // Each input leaves the directory empty; libFuzzer ends with exit().
    std::atexit([] { ::rmdir(base_dir().c_str()); });
    return templ;
  }());
  return dir;
}

// Names in `dir` other than "." and "..".
size_t entries_in(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  FF_FUZZ_CHECK(d != nullptr);
  size_t n = 0;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") ++n;
  }
  ::closedir(d);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string& base = base_dir();
  const std::string archive = base + "/archive";
  const std::string dest = base + "/dest";
  {
    FILE* f = std::fopen(archive.c_str(), "wb");
    FF_FUZZ_CHECK(f != nullptr);
    FF_FUZZ_CHECK(std::fwrite(data + 1, 1, size - 1, f) == size - 1);
    FF_FUZZ_CHECK(std::fclose(f) == 0);
  }
  FF_FUZZ_CHECK(::mkdir(dest.c_str(), 0700) == 0);

  int cwd = ::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  FF_FUZZ_CHECK(cwd >= 0);
  if (data[0] & 1) FF_FUZZ_CHECK(::chdir("/") == 0);
  ff::agent::ExtractOptions options;
  auto result = ff::agent::extract_archive(archive, dest, options);
  FF_FUZZ_CHECK(::fchdir(cwd) == 0);
  ::close(cwd);

  if (!result.ok()) {
    auto code = result.status().code();
    FF_FUZZ_CHECK(code == ff::Code::kInvalidArgument || code == ff::Code::kDataLoss ||
                  code == ff::Code::kInternal);
  } else {
    FF_FUZZ_CHECK(result->hardlink_count <= result->file_count);
  }
  // Only "archive" and "dest" may exist in the base directory.
  FF_FUZZ_CHECK(entries_in(base) == 2);
  FF_FUZZ_CHECK(ff::agent::remove_tree(dest).ok());
  FF_FUZZ_CHECK(std::remove(archive.c_str()) == 0);
  return 0;
}
