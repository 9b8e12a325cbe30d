#include "agent/archive_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "agent/archive_error.h"
#include "agent/paths.h"

namespace ff::agent {

namespace {

struct ReadDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};

// The prefix that puts entry names inside `dest`. Relative to the current
// directory when `dest` lies below it, so that ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS
// can stay on (the agent runs from "/"); absolute otherwise, where our own
// name check stands in for that flag.
std::string dest_prefix(const std::string& dest, bool* relative) {
  char cwd[PATH_MAX];
  *relative = false;
  if (::getcwd(cwd, sizeof cwd) == nullptr) return dest;
  std::string c = cwd;
  if (c == "/") {
    *relative = true;
    return dest.substr(1);
  }
  if (dest.size() > c.size() && dest.compare(0, c.size(), c) == 0 && dest[c.size()] == '/') {
    *relative = true;
    return dest.substr(c.size() + 1);
  }
  return dest;
}

std::string canonical_dir(const std::string& dir) {
  char buf[PATH_MAX];
  if (::realpath(dir.c_str(), buf) == nullptr) return "";
  return buf;
}

// Strips "./" prefixes and trailing "/" of an entry name; "." for the root.
std::string clean_name(std::string_view n) {
  while (n.size() >= 2 && n[0] == '.' && n[1] == '/') n.remove_prefix(2);
  while (n.size() > 1 && n.back() == '/') n.remove_suffix(1);
  if (n.empty()) return std::string(".");
  return std::string(n);
}

}  // namespace

Result<ExtractResult> extract_archive(const std::string& archive_path, const std::string& dest_dir,
                                      const ExtractOptions& options) {
  std::string dest = canonical_dir(dest_dir);
  if (dest.empty()) return Internal("restore directory is missing");
  bool relative = false;
  std::string prefix = dest_prefix(dest, &relative);

  struct stat ast {};
  if (::stat(archive_path.c_str(), &ast) != 0) return Internal("downloaded archive is missing");
  uint64_t total = static_cast<uint64_t>(ast.st_size);

  std::unique_ptr<struct archive, ReadDeleter> in(archive_read_new());
  archive_read_support_format_tar(in.get());
  archive_read_support_filter_zstd(in.get());
  archive_read_support_filter_gzip(in.get());
  if (archive_read_open_filename(in.get(), archive_path.c_str(), 1 << 20) != ARCHIVE_OK) {
    return DataLoss(std::string("cannot read archive: ") + archive_message(in.get()));
  }
  std::unique_ptr<struct archive, WriteDeleter> out(archive_write_disk_new());
  int flags = ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
              ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR;
  if (relative) flags |= ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
  if (options.restore_owner) flags |= ARCHIVE_EXTRACT_OWNER;
  archive_write_disk_set_options(out.get(), flags);
  archive_write_disk_set_standard_lookup(out.get());

  ExtractResult result;
  auto warn = [&](std::string w) {
    if (result.warnings.size() < options.max_warnings) result.warnings.push_back(std::move(w));
  };
  uint64_t entries = 0;
  auto too_many_bytes = [&](const std::string& raw) {
    return TooLarge("extraction stopped at '" + raw + "': the files would exceed " +
                    std::to_string(options.max_bytes) + " bytes (" + options.max_bytes_why +
                    "); nothing was restored");
  };
  archive_entry* entry = nullptr;
  while (true) {
    if (options.cancelled && options.cancelled()) return Unavailable("cancelled");
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      return DataLoss(std::string("damaged archive: ") + archive_message(in.get()));
    }
    std::string raw = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    std::string name = clean_name(raw);
    if (!is_contained_name(name)) {
      return InvalidArgument("unsafe archive entry '" + raw +
                             "': it would land outside the restore target");
    }
    const char* link = archive_entry_hardlink(entry);
    auto type = link != nullptr ? AE_IFREG : archive_entry_filetype(entry);
    if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
      return InvalidArgument("unsupported archive entry '" + raw +
                             "' (not a file, directory or symlink)");
    }
    if (name == "." && type != AE_IFDIR) {
      return InvalidArgument("archive root entry is not a directory");
    }
    if (++entries > options.max_entries) {
      return TooLarge("extraction stopped at '" + raw + "': the archive has more than " +
                      std::to_string(options.max_entries) + " entries (" + options.max_entries_why +
                      "); nothing was restored");
    }
    if (type == AE_IFREG && link == nullptr) {
      la_int64_t size = archive_entry_size(entry);
      if (size > 0 && static_cast<uint64_t>(size) > options.max_bytes - result.byte_count) {
        return too_many_bytes(raw);
      }
    }
    if (!options.keep_setid && type != AE_IFLNK) {
      mode_t perm = archive_entry_perm(entry);
      mode_t drop = S_ISUID | (type == AE_IFDIR ? 0 : S_ISGID);
      if ((perm & drop) != 0) {
        archive_entry_set_perm(entry, perm & ~drop);
        warn(raw + ": setuid/setgid bits dropped");
      }
    }
    archive_entry_copy_pathname(entry, (name == "." ? prefix : prefix + "/" + name).c_str());
    if (link != nullptr) {
      std::string target = clean_name(link);
      if (!is_contained_name(target) || target == ".") {
        return InvalidArgument("unsafe hard link '" + raw + "' -> '" + link + "'");
      }
      archive_entry_copy_hardlink(entry, (prefix + "/" + target).c_str());
    }
    r = archive_write_header(out.get(), entry);
    if (r < ARCHIVE_WARN) {
      return InvalidArgument("refused archive entry '" + raw + "': " + archive_message(out.get()));
    }
    if (r == ARCHIVE_WARN) warn(raw + ": " + archive_message(out.get()));
    if (link != nullptr) {
      ++result.hardlink_count;
      ++result.file_count;
    } else if (type == AE_IFREG) {
      ++result.file_count;
    } else if (type == AE_IFDIR) {
      ++result.dir_count;
    } else {
      ++result.symlink_count;
    }
    if (type == AE_IFREG && archive_entry_size(entry) > 0) {
      const void* buf;
      size_t size;
      la_int64_t offset;
      while (true) {
        r = archive_read_data_block(in.get(), &buf, &size, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
          return DataLoss(std::string("damaged archive: ") + archive_message(in.get()));
        }
        if (size > options.max_bytes - result.byte_count) return too_many_bytes(raw);
        if (archive_write_data_block(out.get(), buf, size, offset) < ARCHIVE_WARN) {
          return Internal("cannot write '" + raw + "': " + archive_message(out.get()));
        }
        result.byte_count += size;
        if (options.progress) {
          options.progress(static_cast<uint64_t>(archive_filter_bytes(in.get(), -1)), total);
        }
        if (options.cancelled && options.cancelled()) return Unavailable("cancelled");
      }
    }
    r = archive_write_finish_entry(out.get());
    if (r < ARCHIVE_WARN) {
      return Internal("cannot finish '" + raw + "': " + archive_message(out.get()));
    }
    if (r == ARCHIVE_WARN) warn(raw + ": " + archive_message(out.get()));
  }
  // Directory modes and mtimes are applied here, after their contents.
  if (archive_write_close(out.get()) < ARCHIVE_WARN) {
    return Internal(std::string("cannot finish restore: ") + archive_message(out.get()));
  }
  if (options.progress) options.progress(total, total);
  return result;
}

}  // namespace ff::agent
