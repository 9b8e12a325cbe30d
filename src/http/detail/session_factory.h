// Entry points from the listener into the session templates, so only two
// translation units instantiate them.
#pragma once

#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/detail/context.h"

namespace ff::http::detail {

// `probe_only`: the connection came in over ORCH_MAX_CONNECTIONS; it gets one
// answer, and only the health probes are served (anything else: 503 +
// Retry-After), then it is closed.
void start_plain_session(Context& ctx, boost::asio::ip::tcp::socket socket,
                         std::string client_address, bool probe_only = false);
struct WsParams {
  std::string scope;  // "" for people, else the agent id
  std::string role;
  // Replay the records after this seq first; unset: live records only.
  std::optional<uint64_t> since;
  std::string request_id;
  // Re-checked at expiry and on every revocation: the session closes when
  // the token no longer verifies.
  const api::Route* route = nullptr;
  std::string token;
  int64_t expires_at = 0;  // unix seconds
};

using UpgradeRequest = boost::beast::http::request<boost::beast::http::empty_body>;

// Move an upgraded connection into a WebSocket session (ws_session_*.cc).
void start_ws_session(Context& ctx, boost::beast::tcp_stream&& stream, UpgradeRequest req,
                      WsParams params);
void start_ws_session(Context& ctx, boost::beast::ssl_stream<boost::beast::tcp_stream>&& stream,
                      UpgradeRequest req, WsParams params);

void start_tls_session(Context& ctx, boost::asio::ssl::context& tls,
                       boost::asio::ip::tcp::socket socket, std::string client_address,
                       bool probe_only = false);

}  // namespace ff::http::detail
