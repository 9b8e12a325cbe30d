// Shell completion scripts generated from a CLI11 command tree: for every
// node (the program, each subcommand, each nested subcommand) the words that
// may follow it: its visible subcommands and its long and short options.
// Nothing is listed by hand, so a new subcommand or flag completes as soon as
// it is added to the tree.
//
// bash: `complete -o default -F _<prog> <prog>`; the function walks
// COMP_WORDS, descending into a subcommand at each word that names one, and
// offers the words of the node it ends in (files when none match).
// zsh: a #compdef function doing the same walk over $words.
//
// Thread-safety: plain functions.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace ff::doc {

std::string bash_completion(const CLI::App& app);
std::string zsh_completion(const CLI::App& app);

}  // namespace ff::doc
