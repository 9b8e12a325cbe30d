#include "cli/format.h"

#include <algorithm>
#include <cstdio>

namespace ff::cli {

namespace {

// Display width: counts UTF-8 code points, not bytes.
size_t width_of(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) w[i] = width_of(headers[i]);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width_of(r[i]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t i = 0; i < w.size(); ++i) {
      std::string c = i < cells.size() ? cells[i] : "";
      l += c;
      if (i + 1 < w.size()) l += std::string(w[i] - width_of(c) + 2, ' ');
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(headers);
  for (const auto& r : rows) line(r);
  return out;
}

std::string human_bytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string render_progress(const std::string& phase, uint64_t done, uint64_t total, int width) {
  if (total == 0) return phase + " " + human_bytes(done);
  double f = std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
  int filled = static_cast<int>(f * width + 0.5);
  char pct[16];
  std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(f * 100));
  return "[" + std::string(filled, '#') + std::string(width - filled, '-') + "] " + pct + " " +
         phase + " " + human_bytes(done) + " / " + human_bytes(total);
}

std::string cell(const nlohmann::json& j) {
  if (j.is_null()) return "-";
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

std::string field(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "-";
  auto it = j.find(key);
  return it == j.end() ? "-" : cell(*it);
}

nlohmann::json list_of(const nlohmann::json& j) {
  if (j.is_array()) return j;
  if (j.is_object()) {
    for (const char* k : {"items", "data", "results", "jobs", "snapshots", "agents"}) {
      if (auto it = j.find(k); it != j.end() && it->is_array()) return *it;
    }
  }
  return nlohmann::json::array();
}

}  // namespace ff::cli
