// Base64url without padding (RFC 4648 §5), as JWTs use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ff {

std::string base64url_encode(std::string_view bytes);
// nullopt for characters outside the alphabet, padding, or an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace ff
