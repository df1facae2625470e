#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace gale::common {

// Writes `contents` to `path` so that readers see either the old file or the
// whole new one, and the new one survives a crash once this returns: write to
// a temp file beside it, fsync, rename over `path`, fsync the directory.
Status WriteFileAtomically(const std::string& path, std::string_view contents);

// Creates `path` holding `contents`, readable and writable by the owner
// alone (mode 0600), never replacing an existing file: ALREADY_EXISTS then.
// Readers see no file or the whole of it (written to a temp file beside it,
// fsynced, then linked into place).
Status CreatePrivateFile(const std::string& path, std::string_view contents);

// Reads a whole (small) file. NOT_FOUND if it does not exist.
Result<std::string> ReadFileToString(const std::string& path);

// fsyncs a directory, making renames and creations in it durable.
Status SyncDirectory(const std::string& dir);

// Creates `dir` and its parents if needed.
Status CreateDirectories(const std::string& dir);

// errno as a Status with context: ENOENT -> NOT_FOUND, ENOSPC/EDQUOT ->
// RESOURCE_EXHAUSTED, EACCES/EPERM -> PERMISSION_DENIED, else INTERNAL.
Status ErrnoStatus(int err, std::string_view context);

}  // namespace gale::common
