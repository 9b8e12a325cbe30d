// `fortfail snapshots [--agent A] [--status S]` and `fortfail snapshot show ID`.
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/list_pages.h"
#include "common/ids.h"

namespace ff::cli {

namespace {

std::string bytes_of(const nlohmann::json& s, const char* key) {
  auto it = s.find(key);
  if (it == s.end() || !it->is_number_unsigned()) return field(s, key);
  return human_bytes(it->get<uint64_t>());
}

std::string size_of(const nlohmann::json& s) { return bytes_of(s, "size"); }
// Bytes the snapshot added to the object store (packs are shared).
std::string stored_of(const nlohmann::json& s) { return bytes_of(s, "stored_bytes"); }

// file_count from the view; older orchestrators only have it in the metadata.
std::string count_of(const nlohmann::json& s) {
  auto it = s.find("file_count");
  if (it != s.end() && !it->is_null()) return field(s, "file_count");
  auto m = s.find("metadata");
  if (m == s.end() || !m->is_object()) return "-";
  return field(*m, "file_count");
}

// "repository-v1, encrypted" / "tar, not encrypted": said in words, so nobody
// mistakes an unencrypted snapshot for a protected one.
std::string format_of(const nlohmann::json& s) {
  bool encrypted = s.value("encrypted", false);
  return field(s, "format") + (encrypted ? ", encrypted" : ", not encrypted");
}

}  // namespace

void add_snapshots(CLI::App& app, Context& ctx, int* exit_code) {
  auto* list = app.add_subcommand("snapshots", "list snapshots");
  auto agent = std::make_shared<std::string>();
  auto status = std::make_shared<std::string>();
  list->add_option("--agent", *agent, "only this agent's snapshots");
  list->add_option("--status", *status, "pending | available | corrupt");
  auto paging = std::make_shared<ListOptions>();
  add_list_options(list, *paging);
  list->callback([&ctx, exit_code, agent, status, paging] {
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    std::string path = "/snapshots";
    std::string sep = "?";
    if (!agent->empty()) {
      if (Status v = validate_id("--agent", *agent); !v.ok()) {
        *exit_code = ctx.fail(v);
        return;
      }
      path += sep + "agent_id=" + *agent;
      sep = "&";
    }
    if (!status->empty()) {
      if (*status != "pending" && *status != "available" && *status != "corrupt") {
        *exit_code = ctx.fail(InvalidArgument("--status must be pending, available or corrupt"));
        return;
      }
      path += sep + "status=" + *status;
    }
    auto r = fetch_list(**api, path, *paging);
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    const nlohmann::json& items = r->items;
    note_if_cut(ctx, static_cast<int64_t>(items.size()), r->total);
    if (ctx.json) {
      ctx.out() << items.dump() << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& s : items) {
        rows.push_back({field(s, "id"), field(s, "agent_id"), field(s, "status"), format_of(s),
                        size_of(s), stored_of(s), count_of(s), field(s, "created_at")});
      }
      ctx.out() << render_table(
          {"ID", "AGENT", "STATUS", "FORMAT", "SIZE", "STORED", "FILES", "CREATED"}, rows);
    }
    *exit_code = kExitOk;
  });

  auto* snap = app.add_subcommand("snapshot", "one snapshot");
  snap->require_subcommand(1);
  auto* show = snap->add_subcommand("show", "show a snapshot's details and metadata");
  auto id = std::make_shared<std::string>();
  show->add_option("ID", *id, "snapshot id")->required();
  show->callback([&ctx, exit_code, id] {
    if (Status v = validate_id("ID", *id); !v.ok()) {
      *exit_code = ctx.fail(v);
      return;
    }
    auto api = ctx.api();
    if (!api.ok()) {
      *exit_code = ctx.fail(api.status());
      return;
    }
    auto r = (*api)->get("/snapshots/" + *id);
    if (!r.ok()) {
      *exit_code = ctx.fail(r.status());
      return;
    }
    if (ctx.json) {
      ctx.out() << r->dump() << "\n";
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const char* k : {"id", "agent_id", "status", "checksum", "created_at", "uploaded_at",
                            "repository_id", "root"}) {
        rows.push_back({k, field(*r, k)});
      }
      rows.push_back({"format", format_of(*r)});
      rows.push_back({"size", size_of(*r) + " (" + field(*r, "size") + " bytes)"});
      rows.push_back({"stored", stored_of(*r)});
      rows.push_back({"files", count_of(*r)});
      if (auto m = r->find("metadata"); m != r->end() && m->is_object()) {
        for (const auto& [k, v] : m->items()) rows.push_back({"metadata." + k, cell(v)});
      }
      ctx.out() << render_table({"FIELD", "VALUE"}, rows);
    }
    *exit_code = kExitOk;
  });
}

}  // namespace ff::cli
