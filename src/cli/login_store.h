// Where `fortfail login` keeps the operator token: a small JSON file
// {"url", "token"} at $FORTFAIL_CONFIG or ~/.config/fortfail/token, created
// with mode 0600 (written to a temporary name, then renamed).
//
// Thread-safety: reentrant functions; concurrent saves are last-writer-wins.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/status.h"

namespace ff::cli {

struct StoredLogin {
  std::string url;
  std::string token;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// $FORTFAIL_CONFIG, else $XDG_CONFIG_HOME/fortfail/token, else $HOME/.config/fortfail/token.
std::string login_path(const EnvLookup& env);

// kNotFound when there is no file; kInvalidArgument when it is not ours.
Result<StoredLogin> load_login(const std::string& path);
// Creates parent directories (0700) and the file (0600).
Status save_login(const std::string& path, const StoredLogin& login);

}  // namespace ff::cli
