// Output helpers for `fortfail`: aligned text tables, sizes, a progress bar line.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ff::cli {

// Columns padded to their widest cell, two spaces apart, header first.
std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows);

// "0 B", "1.5 KiB", "2.0 GiB".
std::string human_bytes(uint64_t bytes);

// "[##########----------]  50% extract 1.0 GiB / 2.0 GiB" (`total` 0: no bar).
std::string render_progress(const std::string& phase, uint64_t done, uint64_t total,
                            int width = 30);

// A JSON value as a table cell: strings bare, null as "-", others dumped.
std::string cell(const nlohmann::json& j);
// j[key] as a cell ("-" when missing).
std::string field(const nlohmann::json& j, const char* key);

// The list inside a (possibly paginated) response: the array itself, or the
// first of "items", "data", "results", "jobs", "snapshots", "agents".
nlohmann::json list_of(const nlohmann::json& j);

}  // namespace ff::cli
