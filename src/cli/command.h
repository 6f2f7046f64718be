// The command table's entry, and the one runner of a command line over such a table.
// main() holds the table (one entry per command, in --help's order); each command's own file
// registers its options on its subcommand and returns what runs it once parsed. Adding a
// command is one entry plus its file (CONTRIBUTING.md, "Adding a command").
#pragma once

#include <functional>
#include <span>
#include <string_view>

namespace CLI {
class App;
}  // namespace CLI

namespace cmrelay::cli {

// What a parsed command runs; returns the exit status.
using Run = std::function<int()>;

// Adds a command's options (and subcommands) to cmd, bound to state the returned Run owns.
using Register = Run (*)(CLI::App& cmd);

struct Command {
  const char* name;     // The first word: "convert".
  const char* summary;  // Its line in `cmrelay --help`, and the head of its own --help.
  // Null where this binary lacks the command: a delivering one in the light cmrelay, which
  // hands it to cmrelay-full before parsing (cli/full.h) and lists it in --help all the same.
  Register add;
};

// The entry named name, or null.
const Command* find_command(std::span<const Command> commands, std::string_view name);

// Parses argv with app (whose description, version flag and footer main() set) and the
// commands' subcommands, then runs the one parsed. The first command is the default one:
// `cmrelay PATH...` means `cmrelay convert PATH...`; so a first word that is neither a command
// nor a file is a usage error, not an input. Returns the
// exit status: --help and --version print through standard output, and exit 7 when it could
// not be written; a parse error is 2.
int run_command_line(CLI::App& app, std::span<const Command> commands, int argc, char** argv);

// A process started with stdin, stdout or stderr closed would hand those numbers to the
// first files it opens (a dead-letter file on fd 0, say), and then read or write them by
// mistake. Fills the gaps with /dev/null.
void open_standard_fds();

}  // namespace cmrelay::cli
