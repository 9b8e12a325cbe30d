#include "common/ids.h"

namespace ff {

namespace {
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
}  // namespace

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  if (!is_alnum(id[0])) return false;
  for (char c : id.substr(1)) {
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

Status validate_id(std::string_view field, std::string_view id) {
  if (is_valid_id(id)) return OkStatus();
  return ValidationError(std::string(field) + ": must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");
}

}  // namespace ff
