// The server's TLS policy: protocol versions and cipher suites, and loading the
// certificate chain and key (ORCH_TLS_CERT / ORCH_TLS_KEY). Internal to src/http.
//
// Policy: TLS 1.2 and 1.3 only. TLS 1.2 offers only ECDHE key exchange with an
// AEAD cipher (AES-GCM, ChaCha20-Poly1305): forward secrecy, no CBC/MAC-then-
// encrypt, no static-RSA key transport. TLS 1.3 offers its three standard
// suites. Compression and renegotiation are off. The list matches a modern
// "intermediate" profile: every browser and curl/OpenSSL of the last years
// negotiates it; clients stuck on TLS 1.0/1.1 or CBC suites are refused.
//
// Thread-safety: call before the context is shared with sessions.
#pragma once

#include <string>

#include <boost/asio/ssl/context.hpp>

#include "common/status.h"

namespace ff::http::detail {

// TLS 1.2 suites in OpenSSL's names, strongest first.
inline constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr char kTls13Ciphersuites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// Applies the policy above to `ctx`; kInternal if OpenSSL refuses it.
Status apply_tls_policy(boost::asio::ssl::context& ctx);

// apply_tls_policy(), then loads the PEM chain and key; kInvalidArgument naming
// ORCH_TLS_CERT or ORCH_TLS_KEY when a file cannot be loaded or they do not match.
Status configure_tls(boost::asio::ssl::context& ctx, const std::string& cert_file,
                     const std::string& key_file);

}  // namespace ff::http::detail
