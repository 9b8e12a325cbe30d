#include "doc/variables.h"

namespace ff::doc {

std::string render_variables(std::span<const Variable> variables) {
  std::string out = "Environment variables:\n";
  for (const Variable& v : variables) {
    out += "  ";
    out += v.name;
    out += " (default: ";
    out += v.default_value;
    out += ")\n      ";
    out += v.description;
    out += "\n";
  }
  return out;
}

}  // namespace ff::doc
