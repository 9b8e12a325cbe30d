// JsonText: appends JSON text directly, for the hottest views (a restore job
// polled by every watcher), where building an nlohmann document first costs
// an allocation per value. Strings come out as nlohmann's dump() writes them
// (compact; keys in the order given: callers give them sorted, as nlohmann's
// std::map orders them), so both paths give the same text for the same values.
//
// Thread-safety: none; one writer per response.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ff::api {

class JsonText {
 public:
  JsonText& begin_object();
  JsonText& end_object();
  JsonText& begin_array();
  JsonText& end_array();
  JsonText& key(std::string_view k);
  JsonText& string(std::string_view v);  // escaped; invalid UTF-8 becomes U+FFFD
  JsonText& null();
  // Text that is already one valid JSON value (e.g. a stored object we wrote).
  JsonText& raw(std::string_view json);

  std::string take() { return std::move(out_); }

 private:
  void value_prefix();
  void append_string(std::string_view v);

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace ff::api
