// Plain TCP sessions: HttpSession and WsSession over beast::tcp_stream.
#include "http/detail/http_session.h"
#include "http/detail/session_factory.h"

namespace ff::http::detail {

void start_plain_session(Context& ctx, boost::asio::ip::tcp::socket socket,
                         std::string client_address, bool probe_only) {
  std::make_shared<HttpSession<beast::tcp_stream>>(ctx, beast::tcp_stream(std::move(socket)),
                                                   std::move(client_address), probe_only)
      ->run();
}

}  // namespace ff::http::detail
