// TLS sessions: the handshake, then the same HttpSession and WsSession over
// beast::ssl_stream<beast::tcp_stream>.
#include "http/detail/http_session.h"
#include "http/detail/session_factory.h"

namespace ff::http::detail {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

void start_tls_session(Context& ctx, boost::asio::ssl::context& tls,
                       boost::asio::ip::tcp::socket socket, std::string client_address,
                       bool probe_only) {
  auto stream = std::make_shared<TlsStream>(beast::tcp_stream(std::move(socket)), tls);
  beast::get_lowest_layer(*stream).expires_after(probe_only ? kProbeReadTimeout
                                                            : ctx.options.read_timeout);
  stream->async_handshake(boost::asio::ssl::stream_base::server,
                          [&ctx, stream, client_address = std::move(client_address),
                           probe_only](beast::error_code ec) mutable {
                            if (ec) return;  // not TLS, or a failed handshake: nothing to answer
                            std::make_shared<HttpSession<TlsStream>>(
                                ctx, std::move(*stream), std::move(client_address), probe_only)
                                ->run();
                          });
}

}  // namespace ff::http::detail
