#include "cli/variables.h"

namespace ff::cli {

namespace {

constexpr doc::Variable kVariables[] = {
    {"FORTFAIL_URL", "the login's URL, else http://127.0.0.1:8000",
     "orchestrator URL when --url is not given"},
    {"FORTFAIL_TOKEN", "unset", "operator token to use instead of the stored login"},
    {"FORTFAIL_CONFIG", "$XDG_CONFIG_HOME/fortfail/token", "login file when --config is not given"},
    {"FORTFAIL_CA_FILE", "unset", "CA bundle for https when --ca-file is not given"},
    {"FORTFAIL_REG_SECRET", "unset (read from stdin)",
     "secret `fortfail login` uses when neither --secret nor --api-key is given"},
    {"FORTFAIL_API_KEY", "unset", "API key `fortfail login` uses when no --secret is given"},
    {"XDG_CONFIG_HOME", "$HOME/.config", "where the default login file lives"},
    {"HOME", "the login's home", "home directory, for the default login file"},
};

}  // namespace

std::span<const doc::Variable> cli_variables() { return kVariables; }

}  // namespace ff::cli
