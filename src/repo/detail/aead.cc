#include "repo/detail/aead.h"

#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <new>

namespace ff::repo::detail {

namespace {

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

CipherCtx new_ctx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::bad_alloc();
  return ctx;
}

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// EVP takes int lengths; blobs are at most a few MiB, but never let a huge
// input wrap.
bool fits_int(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

}  // namespace

std::string aes_gcm_seal(const std::array<uint8_t, 32>& key, std::string_view nonce,
                         std::string_view aad, std::string_view plaintext) {
  if (!fits_int(plaintext.size()) || !fits_int(aad.size())) throw std::bad_alloc();
  CipherCtx ctx = new_ctx();
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  std::copy(nonce.begin(), nonce.end(), out.begin());
  int len = 0;
  // Every call below fails only on allocation or programming errors (sizes
  // are fixed), so failure is reported like an allocation failure.
  bool ok =
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), u8(nonce)) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), dst + kNonceBytes, &len, u8(plaintext),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), dst + kNonceBytes + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          dst + kNonceBytes + plaintext.size()) == 1;
  if (!ok) throw std::bad_alloc();
  return out;
}

std::optional<std::string> aes_gcm_open(const std::array<uint8_t, 32>& key, std::string_view aad,
                                        std::string_view sealed) {
  if (sealed.size() < kNonceBytes + kTagBytes) return std::nullopt;
  size_t text_len = sealed.size() - kNonceBytes - kTagBytes;
  if (!fits_int(text_len) || !fits_int(aad.size())) return std::nullopt;
  std::string_view nonce = sealed.substr(0, kNonceBytes);
  std::string_view text = sealed.substr(kNonceBytes, text_len);
  std::string tag(sealed.substr(kNonceBytes + text_len));
  CipherCtx ctx = new_ctx();
  std::string out(text_len, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), u8(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len, u8(text), static_cast<int>(text.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1) {
    return std::nullopt;
  }
  int final_len = 0;
  // The tag is checked here; nothing decrypted leaves before it passes.
  if (EVP_DecryptFinal_ex(ctx.get(), dst + len, &final_len) != 1) return std::nullopt;
  return out;
}

}  // namespace ff::repo::detail
