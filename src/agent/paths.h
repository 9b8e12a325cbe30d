// Path rules shared by backup and restore: relative paths that must stay
// inside a root, and removal of a whole tree we created.
//
// Thread-safety: reentrant functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ff::agent {

// True when `name` (an archive entry name) is relative and has no ".."
// component: it cannot name anything outside the directory it is extracted in.
bool is_contained_name(std::string_view name);

// `path` (relative to `root`, or absolute below it) as a normalized relative
// path without "./" or trailing "/". kInvalidArgument when it escapes `root`
// or names the root itself.
Result<std::string> relative_inside(const std::string& root, const std::string& path);

// Removes `path` and everything below it (not following symlinks), first
// making directories writable so that read-only restored trees go too.
// Missing `path` is not an error.
Status remove_tree(const std::string& path);

}  // namespace ff::agent
