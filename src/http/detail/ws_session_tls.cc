// WebSocket sessions over TLS (WSS).
#include <boost/beast/ssl.hpp>

#include "http/detail/session_factory.h"
#include "http/detail/ws_session.h"

namespace ff::http::detail {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

void start_ws_session(Context& ctx, TlsStream&& stream, UpgradeRequest req, WsParams p) {
  std::make_shared<WsSession<TlsStream>>(ctx, std::move(stream), std::move(p))->run(std::move(req));
}

}  // namespace ff::http::detail
