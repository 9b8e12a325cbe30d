#include "repo/codec.h"

#include <openssl/evp.h>

#include <new>

#include "common/hex.h"
#include "repo/detail/aead.h"
#include "repo/detail/compress.h"
#include "repo/detail/gear.h"

namespace ff::repo {

namespace {

constexpr char kBodyRaw = 0;
constexpr char kBodyZstd = 1;
// Headers are small and written once per pack: a fixed level is enough.
constexpr int kHeaderZstdLevel = 3;

// BlobId and Key256 are the same array type.
std::string_view bytes_of(const BlobId& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// compression byte || payload; compressed only when that saves at least 1/32
// (decompressing costs restore time, so a marginal gain is not worth it).
std::string make_body(std::string_view plaintext, int level) {
  if (!plaintext.empty()) {
    std::string packed = detail::zstd_compress(plaintext, level, std::string_view(&kBodyZstd, 1));
    size_t frame = packed.size() - 1;
    size_t saved = plaintext.size() > frame ? plaintext.size() - frame : 0;
    if (saved > 0 && saved * 32 >= plaintext.size()) return packed;
  }
  std::string body;
  body.reserve(plaintext.size() + 1);
  body.push_back(kBodyRaw);
  body.append(plaintext);
  return body;
}

// The plaintext of a body, or why not (the caller adds the blob's name).
Result<std::string> read_body(std::string_view body, size_t max_plaintext) {
  if (body.empty()) return DataLoss("empty body");
  std::string_view payload = body.substr(1);
  switch (body[0]) {
    case kBodyRaw:
      if (payload.size() > max_plaintext) return DataLoss("larger than the limit");
      return std::string(payload);
    case kBodyZstd: {
      std::optional<std::string> plain = detail::zstd_decompress(payload, max_plaintext);
      if (!plain) return DataLoss("invalid compressed data or larger than the limit");
      return std::move(*plain);
    }
    default:
      return DataLoss("unknown compression byte");
  }
}

std::string blob_aad(BlobType type, const BlobId& id) {
  std::string aad = "FFB1";
  aad.push_back(static_cast<char>(type));
  aad.append(bytes_of(id));
  return aad;
}

constexpr std::string_view kHeaderAad = "FFH1";

}  // namespace

std::string blob_id_hex(const BlobId& id) { return to_hex(bytes_of(id)); }

Result<BlobId> parse_blob_id(std::string_view hex) {
  if (!is_lower_hex(hex, 64)) return InvalidArgument("blob id must be 64 lowercase hex characters");
  BlobId id{};
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i < id.size(); ++i) {
    id[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return id;
}

Codec Codec::plain() {
  static const detail::GearTable kPlainGear = detail::plain_gear();
  Codec c;
  c.gear_ = kPlainGear;
  return c;
}

Codec Codec::keyed(const RepositoryKey& key) {
  Codec c;
  c.key_ = key;
  c.gear_ = detail::keyed_gear(key.chunker_key);
  return c;
}

const std::string& Codec::key_id() const {
  static const std::string kNone;
  return key_ ? key_->key_id : kNone;
}

BlobId Codec::id_of(std::string_view plaintext) const {
  BlobId id{};
  if (key_) {
    std::string mac = hmac_sha256(bytes_of(key_->id_key), plaintext);
    std::copy(mac.begin(), mac.end(), id.begin());
    return id;
  }
  unsigned int len = 0;
  if (EVP_Digest(plaintext.data(), plaintext.size(), id.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::bad_alloc();  // fails only when OpenSSL cannot allocate
  }
  return id;
}

std::string Codec::seal(BlobType type, const BlobId& id, std::string_view plaintext, int zstd_level,
                        sys::Random& random) const {
  std::string body = make_body(plaintext, zstd_level);
  if (!key_) return body;
  return detail::aes_gcm_seal(key_->enc_key, random.bytes(detail::kNonceBytes), blob_aad(type, id),
                              body);
}

Result<std::string> Codec::open(BlobType type, const BlobId& id, std::string_view sealed,
                                size_t max_plaintext) const {
  auto fail = [&](std::string_view why) {
    return DataLoss("blob " + blob_id_hex(id) + ": " + std::string(why));
  };
  std::optional<std::string> decrypted;
  std::string_view body = sealed;
  if (key_) {
    decrypted = detail::aes_gcm_open(key_->enc_key, blob_aad(type, id), sealed);
    if (!decrypted) {
      return fail("authentication failed (another key, another id or type, or damaged bytes)");
    }
    body = *decrypted;
  }
  Result<std::string> plaintext = read_body(body, max_plaintext);
  if (!plaintext.ok()) return fail(plaintext.status().message());
  BlobId actual = id_of(*plaintext);
  if (!constant_time_equal(bytes_of(actual), bytes_of(id))) {
    return fail("content does not match its id");
  }
  return plaintext;
}

std::string Codec::seal_header(std::string_view plaintext, sys::Random& random) const {
  std::string body = make_body(plaintext, kHeaderZstdLevel);
  if (!key_) return body;
  return detail::aes_gcm_seal(key_->enc_key, random.bytes(detail::kNonceBytes), kHeaderAad, body);
}

Result<std::string> Codec::open_header(std::string_view sealed, size_t max_plaintext) const {
  std::optional<std::string> decrypted;
  std::string_view body = sealed;
  if (key_) {
    decrypted = detail::aes_gcm_open(key_->enc_key, kHeaderAad, sealed);
    if (!decrypted) {
      return DataLoss("pack header: authentication failed (another key or damaged bytes)");
    }
    body = *decrypted;
  }
  Result<std::string> plaintext = read_body(body, max_plaintext);
  if (!plaintext.ok()) return plaintext.status().with_context("pack header");
  return plaintext;
}

}  // namespace ff::repo
