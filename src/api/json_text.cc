#include "api/json_text.h"

#include <nlohmann/json.hpp>

namespace ff::api {

namespace {

// Printable ASCII without '"' and '\\' goes out as it is; anything else takes
// nlohmann's escaping (control characters, UTF-8 checks), which is rare here.
bool plain(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

void JsonText::value_prefix() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

JsonText& JsonText::begin_object() {
  value_prefix();
  out_ += '{';
  first_.push_back(true);
  return *this;
}

JsonText& JsonText::end_object() {
  out_ += '}';
  first_.pop_back();
  return *this;
}

JsonText& JsonText::begin_array() {
  value_prefix();
  out_ += '[';
  first_.push_back(true);
  return *this;
}

JsonText& JsonText::end_array() {
  out_ += ']';
  first_.pop_back();
  return *this;
}

JsonText& JsonText::key(std::string_view k) {
  value_prefix();
  append_string(k);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonText& JsonText::string(std::string_view v) {
  value_prefix();
  append_string(v);
  return *this;
}

void JsonText::append_string(std::string_view v) {
  if (plain(v)) {
    out_ += '"';
    out_ += v;
    out_ += '"';
  } else {
    out_ += nlohmann::json(std::string(v))
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
}

JsonText& JsonText::null() {
  value_prefix();
  out_ += "null";
  return *this;
}

JsonText& JsonText::raw(std::string_view json) {
  value_prefix();
  out_ += json;
  return *this;
}

}  // namespace ff::api
