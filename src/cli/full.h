// The light `cmrelay` and the full `cmrelay-full` (CMakeLists.txt): the commands that deliver
// (libcurl, and what delivery alone uses) exist only in the full binary, so that `convert`,
// `detect`, `routes` and `--version` start without loading those libraries. Which ones: the
// entries of main()'s command table whose registration the light binary lacks (cli/command.h).
// The light binary hands such a command over with exec(): the same arguments, environment and
// open files, no second process, and the exit status is the full binary's own.
#pragma once

namespace cmrelay::cli {

// Replaces this process with cmrelay-full, found beside the running executable (a build tree)
// or at relpath from its directory (an installed tree). Returns only when that fails, after
// one stderr line, with the usage exit status.
int exec_full(char** argv, const char* relpath);

}  // namespace cmrelay::cli
