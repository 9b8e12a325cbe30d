#include "http/router.h"

namespace ff::http {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

void Router::add(const api::Route& route) {
  Entry e{&route, {}};
  for (auto part : split_path(route.pattern)) {
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      std::string name(part.substr(1, part.size() - 2));
      if (!name.empty() && name.back() == '+') {
        name.pop_back();
        e.segments.push_back({name, Segment::kRest});
      } else {
        e.segments.push_back({name, Segment::kParam});
      }
    } else {
      e.segments.push_back({std::string(part), Segment::kLiteral});
    }
  }
  // Literal-first order: a route with fewer parameters is tried first.
  auto params_of = [](const Entry& x) {
    size_t n = 0;
    for (const auto& s : x.segments) n += s.kind != Segment::kLiteral;
    return n;
  };
  auto pos = entries_.begin();
  while (pos != entries_.end() && params_of(*pos) <= params_of(e)) ++pos;
  entries_.insert(pos, std::move(e));
}

bool Router::match_segments(const Entry& e, const std::vector<std::string_view>& parts,
                            std::unordered_map<std::string, std::string>* params) {
  size_t i = 0;
  for (const auto& seg : e.segments) {
    if (seg.kind == Segment::kRest) {
      if (i >= parts.size()) return false;
      std::string rest;
      for (size_t k = i; k < parts.size(); ++k) {
        if (!rest.empty()) rest += '/';
        rest += parts[k];
      }
      (*params)[seg.text] = std::move(rest);
      return true;
    }
    if (i >= parts.size()) return false;
    if (seg.kind == Segment::kLiteral) {
      if (parts[i] != seg.text) return false;
    } else {
      (*params)[seg.text] = std::string(parts[i]);
    }
    ++i;
  }
  return i == parts.size();
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  auto parts = split_path(path);
  for (const auto& e : entries_) {
    std::unordered_map<std::string, std::string> params;
    if (!match_segments(e, parts, &params)) continue;
    bool same_method = e.route->method == method || (method == "HEAD" && e.route->method == "GET");
    if (same_method && m.route == nullptr) {
      m.route = e.route;
      m.params = std::move(params);
    } else if (!same_method && m.allow.find(e.route->method) == std::string::npos) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += e.route->method;
    }
  }
  return m;
}

}  // namespace ff::http
