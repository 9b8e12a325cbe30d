#include "repo/key.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/hex.h"
#include "repo/detail/hkdf.h"
#include "repo/detail/posix_io.h"

namespace ff::repo {

namespace {

constexpr std::string_view kFormat = "fortfail-repository-key";
constexpr int kVersion = 1;
// A key file is ~200 bytes; anything much larger is not one.
constexpr size_t kMaxKeyFileBytes = 64 * 1024;

Key256 derive(const Key256& master, std::string_view info) {
  std::string okm = detail::hkdf_sha256(
      std::string_view(reinterpret_cast<const char*>(master.data()), master.size()), {}, info, 32);
  Key256 out;
  std::memcpy(out.data(), okm.data(), out.size());
  OPENSSL_cleanse(okm.data(), okm.size());
  return out;
}

std::string key_id_of(const Key256& master) {
  Key256 full = derive(master, "fortfail key-id v1");
  return to_hex(std::string_view(reinterpret_cast<const char*>(full.data()), 16));
}

}  // namespace

RepositoryKey derive_key(const Key256& master) {
  RepositoryKey key;
  key.master = master;
  key.id_key = derive(master, "fortfail chunk-id v1");
  key.enc_key = derive(master, "fortfail encrypt v1");
  key.chunker_key = derive(master, "fortfail chunker v1");
  key.key_id = key_id_of(master);
  return key;
}

RepositoryKey generate_key(sys::Random& random) {
  std::string bytes = random.bytes(32);
  Key256 master;
  std::memcpy(master.data(), bytes.data(), master.size());
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return derive_key(master);
}

std::string encode_key_file(const RepositoryKey& key, SystemTime created_at) {
  // Built by hand, not with nlohmann::json, so the master key is held in as
  // few heap copies as possible; every field is plain ASCII.
  std::string master_b64 = base64url_encode(
      std::string_view(reinterpret_cast<const char*>(key.master.data()), key.master.size()));
  std::string out = "{\"format\":\"" + std::string(kFormat) +
                    "\",\"version\":" + std::to_string(kVersion) + ",\"key_id\":\"" + key.key_id +
                    "\",\"master_key\":\"" + master_b64 + "\",\"created_at\":\"" +
                    format_rfc3339(created_at) + "\"}\n";
  OPENSSL_cleanse(master_b64.data(), master_b64.size());
  return out;
}

Result<RepositoryKey> parse_key_file(std::string_view text) {
  // Parse errors from nlohmann quote the offending text; ours never do, so no
  // key material can reach a message or a log.
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return InvalidArgument("key file: not a JSON object");
  auto string_field = [&](const char* name) -> std::string* {
    auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get_ptr<std::string*>() : nullptr;
  };
  const std::string* format = string_field("format");
  if (format == nullptr || *format != kFormat) {
    return InvalidArgument("key file: \"format\" is not \"fortfail-repository-key\"");
  }
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer() ||
      version->get<int64_t>() != kVersion) {
    return InvalidArgument("key file: unsupported \"version\" (this build reads version 1)");
  }
  const std::string* key_id = string_field("key_id");
  if (key_id == nullptr || !is_lower_hex(*key_id, 32)) {
    return InvalidArgument("key file: \"key_id\" must be 32 lowercase hex characters");
  }
  std::string* master_b64 = string_field("master_key");
  if (master_b64 == nullptr) return InvalidArgument("key file: \"master_key\" is missing");
  std::optional<std::string> master = base64url_decode(*master_b64);
  if (!master || master->size() != 32) {
    if (master) OPENSSL_cleanse(master->data(), master->size());
    return InvalidArgument("key file: \"master_key\" must be base64url of 32 bytes");
  }
  Key256 raw;
  std::memcpy(raw.data(), master->data(), raw.size());
  OPENSSL_cleanse(master->data(), master->size());
  OPENSSL_cleanse(master_b64->data(), master_b64->size());
  RepositoryKey key = derive_key(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  if (key.key_id != *key_id) {
    return InvalidArgument(
        "key file: \"key_id\" does not match the master key (the file is damaged or edited)");
  }
  return key;
}

Result<RepositoryKey> load_key_file(const std::string& path, bool allow_insecure_mode) {
  FF_ASSIGN_OR_RETURN(detail::Fd fd, detail::open_file(path, O_RDONLY | O_CLOEXEC, 0));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return detail::errno_status("key file " + path + ": stat", errno);
  }
  if (!S_ISREG(st.st_mode)) return InvalidArgument("key file " + path + ": not a regular file");
  if ((st.st_mode & 077) != 0 && !allow_insecure_mode) {
    return PermissionDenied("key file " + path +
                            ": readable or writable by group or others; run chmod 600 on it");
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxKeyFileBytes) {
    return InvalidArgument("key file " + path + ": too large to be a key file");
  }
  FF_ASSIGN_OR_RETURN(std::string text, detail::read_all(fd.get(), kMaxKeyFileBytes));
  Result<RepositoryKey> key = parse_key_file(text);
  OPENSSL_cleanse(text.data(), text.size());
  if (!key.ok()) return key.status().with_context(path);
  return key;
}

Status write_key_file(const std::string& path, const RepositoryKey& key, SystemTime created_at) {
  Result<detail::Fd> opened =
      detail::open_file(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (!opened.ok()) {
    if (opened.status().code() == Code::kConflict) {
      return Conflict("key file " + path + " already exists; a key is never overwritten");
    }
    return opened.status();
  }
  detail::Fd fd = std::move(opened).value();
  // The umask can only clear bits, but a file system may not honour the mode
  // at all: set it explicitly.
  if (::fchmod(fd.get(), 0600) != 0) {
    Status s = detail::errno_status("key file " + path + ": chmod", errno);
    ::unlink(path.c_str());
    return s;
  }
  std::string text = encode_key_file(key, created_at);
  Status written = detail::write_all(fd.get(), text);
  OPENSSL_cleanse(text.data(), text.size());
  if (written.ok() && ::fsync(fd.get()) != 0) {
    written = detail::errno_status("key file " + path + ": fsync", errno);
  }
  if (!written.ok()) {
    ::unlink(path.c_str());  // never leave a half-written key behind
    return written.with_context("key file " + path);
  }
  return detail::sync_parent_dir(path);
}

}  // namespace ff::repo
