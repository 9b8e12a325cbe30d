// Lists that page through the server: every listing subcommand takes
// `--limit N` (default 100) and `--all`, fetches pages of at most 1000 items
// with ?limit=&offset=, and says on stderr when its output was cut
// ("showing 100 of 130; use --all").
//
// Thread-safety: single-threaded.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "client/api_client.h"
#include "common/status.h"

namespace CLI {
class App;
}

namespace ff::cli {

class Context;

struct ListOptions {
  int64_t limit = 100;  // >= 1
  bool all = false;
};

// Adds --limit and --all to `cmd`; `o` must outlive it.
void add_list_options(CLI::App* cmd, ListOptions& o);

struct FetchedList {
  nlohmann::json items = nlohmann::json::array();  // in the server's order
  int64_t total = 0;  // X-Total-Count, or the items seen when the server sends none
};

// Up to o.limit items (all with o.all) of the list at `path` (which may carry
// a query already), newest first as the server orders them.
Result<FetchedList> fetch_list(client::ApiClient& api, const std::string& path,
                               const ListOptions& o);

// "showing N of T; use --all" on stderr when `shown` < `total`.
void note_if_cut(Context& ctx, int64_t shown, int64_t total);

}  // namespace ff::cli
