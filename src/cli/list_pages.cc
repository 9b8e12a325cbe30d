#include "cli/list_pages.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <limits>

#include "cli/context.h"
#include "cli/format.h"

namespace ff::cli {

namespace {

constexpr int64_t kMaxPage = 1000;  // the server's largest ?limit=

}  // namespace

void add_list_options(CLI::App* cmd, ListOptions& o) {
  cmd->add_option("--limit", o.limit, "show at most N items (default 100)")
      ->check(CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max() / 2));
  cmd->add_flag("--all", o.all, "show every item, fetching page after page");
}

Result<FetchedList> fetch_list(client::ApiClient& api, const std::string& path,
                               const ListOptions& o) {
  const int64_t want = o.all ? std::numeric_limits<int64_t>::max() : o.limit;
  const char sep = path.find('?') == std::string::npos ? '?' : '&';
  FetchedList out;
  int64_t offset = 0;
  while (offset < want) {
    int64_t page = std::min(kMaxPage, want - offset);
    FF_ASSIGN_OR_RETURN(nlohmann::json body, api.get(path + sep + "limit=" + std::to_string(page) +
                                                     "&offset=" + std::to_string(offset)));
    nlohmann::json items = list_of(body);
    std::optional<int64_t> total = api.last_call().total_count;
    auto got = static_cast<int64_t>(items.size());
    if (!total && got > page) {
      // A server that does not page sent everything: cut here.
      out.total = got;
      for (int64_t i = 0; i < std::min(got, want); ++i) out.items.push_back(items[i]);
      return out;
    }
    for (auto& it : items) out.items.push_back(std::move(it));
    offset += got;
    out.total = total.value_or(offset);
    if (got < page || (total && offset >= *total)) break;
  }
  return out;
}

void note_if_cut(Context& ctx, int64_t shown, int64_t total) {
  if (shown >= total) return;
  ctx.err() << "showing " << shown << " of " << total << "; use --all (or --limit N) for more\n";
}

}  // namespace ff::cli
