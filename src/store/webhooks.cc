// Store: alert webhooks, one SQL text for both backends (detail/sql_tx.h);
// the table is in migrations/v005_webhooks.cc.
#include <nlohmann/json.hpp>

#include "store/detail/sql_tx.h"
#include "store/detail/values.h"
#include "store/store.h"

namespace ff::store {

using detail::SqlTx;
using detail::SqlValue;

namespace {

constexpr const char* kColumns =
    "id, url, events, secret, created_at, last_status, last_error, last_delivery_at, "
    "deliveries, failures";

Webhook webhook_from(const detail::SqlRow& r) {
  Webhook w;
  w.id = r.text(0);
  w.url = r.text(1);
  // Written by insert_webhook only: a JSON array of strings.
  auto events = nlohmann::json::parse(r.text(2), nullptr, false);
  if (events.is_array()) {
    for (const auto& e : events) {
      if (e.is_string()) w.events.push_back(e.get<std::string>());
    }
  }
  w.secret = r.text(3);
  w.created_at = detail::from_unix_ms(r.int64(4));
  if (!r.is_null(5)) w.last_status = static_cast<int>(r.int64(5));
  if (!r.is_null(6)) w.last_error = r.text(6);
  if (!r.is_null(7)) w.last_delivery_at = detail::from_unix_ms(r.int64(7));
  w.deliveries = r.int64(8);
  w.failures = r.int64(9);
  return w;
}

}  // namespace

Status Store::insert_webhook(const Webhook& w) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    Status st = tx.query(std::string("INSERT INTO webhooks (") + kColumns +
                             ") VALUES ($1, $2, $3, $4, $5, NULL, NULL, NULL, 0, 0)",
                         {w.id, w.url, nlohmann::json(w.events).dump(), w.secret,
                          detail::sql_time(w.created_at)})
                    .status();
    if (st.code() == Code::kConflict) return Conflict("webhook " + w.id + " already exists");
    return st;
  });
}

Result<std::vector<Webhook>> Store::list_webhooks() {
  std::vector<Webhook> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    out.clear();
    FF_ASSIGN_OR_RETURN(
        auto rows,
        tx.query(std::string("SELECT ") + kColumns + " FROM webhooks ORDER BY created_at, id", {}));
    for (const auto& r : rows) out.push_back(webhook_from(r));
    return OkStatus();
  }));
  return out;
}

Result<Webhook> Store::get_webhook(const std::string& id) {
  std::optional<Webhook> out;
  FF_TRY(run_sql(false, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(
        auto rows,
        tx.query(std::string("SELECT ") + kColumns + " FROM webhooks WHERE id = $1", {id}));
    if (rows.empty()) return NotFound("webhook " + id + " not found");
    out = webhook_from(rows[0]);
    return OkStatus();
  }));
  return std::move(*out);
}

Status Store::delete_webhook(const std::string& id) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    FF_ASSIGN_OR_RETURN(auto rows,
                        tx.query("DELETE FROM webhooks WHERE id = $1 RETURNING id", {id}));
    if (rows.empty()) return NotFound("webhook " + id + " not found");
    return OkStatus();
  });
}

Status Store::record_webhook_attempt(const std::string& id, bool ok, std::optional<int> status,
                                     const std::string& error, SystemTime at) {
  return run_sql(true, [&](SqlTx& tx) -> Status {
    // NULL unless known; assigned in place (a conditional of two SqlValues
    // trips GCC 12's -Wmaybe-uninitialized inside std::variant).
    std::vector<SqlValue> params(4);
    params[0] = id;
    if (status) params[1] = int64_t{*status};
    if (!ok) params[2] = error;
    params[3] = detail::sql_time(at);
    FF_ASSIGN_OR_RETURN(
        auto rows, tx.query(std::string("UPDATE webhooks SET last_status = $2, last_error = $3, "
                                        "last_delivery_at = $4, ") +
                                (ok ? "deliveries = deliveries + 1" : "failures = failures + 1") +
                                " WHERE id = $1 RETURNING id",
                            params));
    if (rows.empty()) return NotFound("webhook " + id + " not found");
    return OkStatus();
  });
}

}  // namespace ff::store
