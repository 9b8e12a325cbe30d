#include "http/detail/tls_context.h"

#include <openssl/ssl.h>

namespace ff::http::detail {

namespace ssl = boost::asio::ssl;

Status apply_tls_policy(ssl::context& ctx) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::no_compression);
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return Internal("TLS: cannot set the minimum protocol version");
  }
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Internal("TLS: cannot set the TLS 1.2 cipher list");
  }
  if (SSL_CTX_set_ciphersuites(native, kTls13Ciphersuites) != 1) {
    return Internal("TLS: cannot set the TLS 1.3 cipher suites");
  }
  return OkStatus();
}

Status configure_tls(ssl::context& ctx, const std::string& cert_file, const std::string& key_file) {
  FF_TRY(apply_tls_policy(ctx));
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(cert_file, ec);
  if (ec) return InvalidArgument("ORCH_TLS_CERT: cannot load certificate chain: " + ec.message());
  ctx.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return InvalidArgument("ORCH_TLS_KEY: cannot load private key: " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    return InvalidArgument("ORCH_TLS_KEY: the key does not match the certificate in ORCH_TLS_CERT");
  }
  return OkStatus();
}

}  // namespace ff::http::detail
