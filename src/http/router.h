// Router: matches a method and a decoded path against the Api's route patterns.
//
// Pattern segments are literals, "{name}" (one segment) or "{name+}" (the rest
// of the path, one or more segments, last only). Literal routes win over
// parameter routes of the same shape. No Beast here: tested on its own.
//
// Thread-safety: immutable after add(); match() from any thread.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/api.h"

namespace ff::http {

struct RouteMatch {
  const api::Route* route = nullptr;  // null: no route
  std::unordered_map<std::string, std::string> params;
  std::string allow;  // when the path exists for other methods: "GET, POST"
};

class Router {
 public:
  // `route` must outlive the router.
  void add(const api::Route& route);
  RouteMatch match(std::string_view method, std::string_view path) const;

 private:
  struct Segment {
    std::string text;
    enum Kind { kLiteral, kParam, kRest } kind;
  };
  struct Entry {
    const api::Route* route;
    std::vector<Segment> segments;
  };
  static bool match_segments(const Entry& e, const std::vector<std::string_view>& parts,
                             std::unordered_map<std::string, std::string>* params);
  std::vector<Entry> entries_;
};

std::vector<std::string_view> split_path(std::string_view path);

}  // namespace ff::http
