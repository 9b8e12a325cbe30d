// `fortfail webhook list`: every webhook with its last delivery (never the secret).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"

namespace ff::cli {

void add_webhook_list(CLI::App& parent, Context& ctx, int* exit_code) {
  auto* cmd = parent.add_subcommand("list", "list webhooks and their last delivery");
  cmd->callback([&ctx, exit_code] {
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->get("/webhooks");
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    nlohmann::json list = list_of(*r);
    if (ctx.json) {
      ctx.out() << list.dump() << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& w : list) {
        std::string events;
        for (const auto& e : w.value("events", nlohmann::json::array())) {
          events += (events.empty() ? "" : ",") + e.get<std::string>();
        }
        std::string last = field(w, "last_delivery_at");
        if (!w.value("last_status", nlohmann::json()).is_null()) {
          last += " (" + field(w, "last_status") + ")";
        }
        rows.push_back({field(w, "id"), field(w, "url"), events, last, field(w, "last_error")});
      }
      ctx.out() << render_table({"ID", "URL", "EVENTS", "LAST DELIVERY", "LAST ERROR"}, rows);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
