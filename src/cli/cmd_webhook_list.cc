// `fortfail webhook list`: every webhook with its last delivery (never the secret).
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/table_command.h"

namespace ff::cli {

void add_webhook_list(CLI::App& parent, Context& ctx, int* exit_code) {
  add_table_command(parent, ctx, exit_code,
                    {"list",
                     "list webhooks and their last delivery",
                     "/webhooks",
                     {"ID", "URL", "EVENTS", "LAST DELIVERY", "LAST ERROR"},
                     [](const nlohmann::json& w) {
                       std::string events;
                       for (const auto& e : w.value("events", nlohmann::json::array())) {
                         events += (events.empty() ? "" : ",") + e.get<std::string>();
                       }
                       std::string last = field(w, "last_delivery_at");
                       if (!w.value("last_status", nlohmann::json()).is_null()) {
                         last += " (" + field(w, "last_status") + ")";
                       }
                       return std::vector<std::string>{field(w, "id"), field(w, "url"), events,
                                                       last, field(w, "last_error")};
                     }});
}

}  // namespace ff::cli
