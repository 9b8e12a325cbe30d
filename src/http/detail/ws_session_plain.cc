// WebSocket sessions over plain TCP.
#include "http/detail/session_factory.h"
#include "http/detail/ws_session.h"

namespace ff::http::detail {

void start_ws_session(Context& ctx, beast::tcp_stream&& stream, UpgradeRequest req, WsParams p) {
  std::make_shared<WsSession<beast::tcp_stream>>(ctx, std::move(stream), std::move(p))
      ->run(std::move(req));
}

}  // namespace ff::http::detail
