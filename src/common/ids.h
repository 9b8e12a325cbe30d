// Identifier validation shared by every layer that accepts ids from clients.
// IDs match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ (docs/openapi.json, `Id`); anything else is
// rejected before it reaches storage, a path or a log line.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ff {

bool is_valid_id(std::string_view id);

// kValidation naming `field` when `id` is not a valid id.
Status validate_id(std::string_view field, std::string_view id);

}  // namespace ff
