// Request targets (src/http/detail/request_builder: Boost.URL) and the query
// parameters the handlers read from them (src/api/parse: ?limit=, ?offset=,
// id filters). The input is the request-target of the request line.
// Properties: nothing crashes; an accepted target yields a path that starts
// with '/' and holds no NUL; a page is within its documented bounds; an id
// filter that is accepted is a valid id; errors are the documented codes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/parse.h"
#include "common/ids.h"
#include "fuzz_check.h"
#include "http/detail/request_builder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view target(reinterpret_cast<const char*>(data), size);
  ff::api::Request req;
  ff::Status s = ff::http::detail::parse_target(target, &req);
  if (!s.ok()) {
    FF_FUZZ_CHECK(s.code() == ff::Code::kInvalidArgument);
    return 0;
  }
  FF_FUZZ_CHECK(!req.path.empty() && req.path[0] == '/');
  FF_FUZZ_CHECK(req.path.find('\0') == std::string::npos);

  auto page = ff::api::parse_page(req);
  if (page.ok()) {
    FF_FUZZ_CHECK(page->limit >= 1 && page->limit <= 1000);
    FF_FUZZ_CHECK(page->offset >= 0);
  } else {
    FF_FUZZ_CHECK(page.status().code() == ff::Code::kValidation);
  }
  for (const char* name : {"agent_id", "snapshot_id", "target_agent_id"}) {
    auto id = ff::api::optional_id_param(req, name);
    if (!id.ok()) {
      FF_FUZZ_CHECK(id.status().code() == ff::Code::kValidation);
    } else if (id->has_value()) {
      FF_FUZZ_CHECK(ff::is_valid_id(**id));
    }
  }
  return 0;
}
