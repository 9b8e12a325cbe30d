// Alert webhooks: registration rules (core/alerts.h) and their audit records.
#include "common/hex.h"
#include "common/ids.h"
#include "core/alerts.h"
#include "core/audit.h"
#include "core/service.h"

namespace ff::core {

Result<store::Webhook> Service::create_webhook(const std::string& url,
                                               std::vector<std::string> events,
                                               const std::string& secret) {
  FF_TRY(validate_webhook(url, events, secret));
  store::Webhook w;
  w.id = "wh-" + to_hex(env_.random->bytes(8));
  w.url = url;
  w.events = std::move(events);
  w.secret = secret;
  w.created_at = env_.clock->now();
  FF_TRY(store_.insert_webhook(w));
  FF_TRY(audit(audit::webhook_created(w)));
  return w;
}

Result<std::vector<store::Webhook>> Service::list_webhooks() { return store_.list_webhooks(); }

Result<store::Webhook> Service::get_webhook(const std::string& id) {
  FF_TRY(validate_id("id", id));
  return store_.get_webhook(id);
}

Status Service::delete_webhook(const std::string& id) {
  FF_TRY(validate_id("id", id));
  FF_TRY(store_.delete_webhook(id));
  FF_TRY(audit(audit::webhook_deleted(id)));
  return OkStatus();
}

}  // namespace ff::core
