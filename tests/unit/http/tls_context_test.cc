#include "http/detail/tls_context.h"

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace ff::http::detail {
namespace {

namespace ssl = boost::asio::ssl;

struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

TEST(TlsPolicy, OffersOnlyEcdheAeadSuitesOnTls12AndTheTls13Suites) {
  ssl::context ctx(ssl::context::tls_server);
  ASSERT_TRUE(apply_tls_policy(ctx).ok());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.native_handle()), TLS1_2_VERSION);
  std::unique_ptr<SSL, SslFree> s(SSL_new(ctx.native_handle()));
  ASSERT_TRUE(s);
  STACK_OF(SSL_CIPHER)* list = SSL_get_ciphers(s.get());
  ASSERT_NE(list, nullptr);
  int tls12 = 0, tls13 = 0;
  for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
    std::string name = SSL_CIPHER_get_name(c);
    EXPECT_TRUE(SSL_CIPHER_is_aead(c)) << name << " is not AEAD";
    if (std::string(SSL_CIPHER_get_version(c)) == "TLSv1.3") {
      ++tls13;
      continue;
    }
    ++tls12;
    EXPECT_EQ(SSL_CIPHER_get_kx_nid(c), NID_kx_ecdhe) << name << " is not ECDHE";
    EXPECT_NE(name, "AES128-SHA");
  }
  EXPECT_EQ(tls12, 6);
  EXPECT_EQ(tls13, 3);
}

TEST(TlsPolicy, MissingCertificateNamesTheVariable) {
  ssl::context ctx(ssl::context::tls_server);
  Status s = configure_tls(ctx, "/nonexistent/cert.pem", "/nonexistent/key.pem");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("ORCH_TLS_CERT"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace ff::http::detail
