#include "cli/command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/read.h"
#include "report/diag.h"

namespace cmrelay::cli {

namespace {

// `cmrelay PATH...` means `cmrelay DEFAULT PATH...`.
std::vector<std::string> with_default_command(std::span<const Command> commands, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  static const char* kFlags[] = {"-h", "--help", "--version", "-V"};
  bool insert = args.empty() || find_command(commands, args[0]) == nullptr;
  for (const char* k : kFlags) insert &= args.empty() || args[0] != k;
  if (insert) args.insert(args.begin(), commands.front().name);
  return args;
}

// `cmrelay route check f`: a first argument that is a bare word, not a command and not an
// existing file, is a mistyped command. Read as an input it would print the file it names
// next, line by line, as rejected bodies. Returns the usage error, or "" when there is none.
std::string mistyped_command(std::span<const Command> commands, const std::vector<std::string>& args) {
  if (args.empty() || find_command(commands, args[0]) != nullptr) return "";
  const std::string& word = args[0];
  const bool bare = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  });
  struct stat st {};
  if (!bare || word[0] == '-' || ::stat(word.c_str(), &st) == 0) return "";
  std::string why = "'" + word + "' is neither a command (";
  for (const Command& c : commands) why.append(c.name).append(&c == &commands.back() ? "" : ", ");
  why += ") nor a file";
  for (const Command& c : commands) {
    const std::string_view name(c.name);
    if (name.starts_with(word) || std::string_view(word).starts_with(name)) {
      return why + "; did you mean '" + c.name + "'?";
    }
  }
  return why;
}

// --help and --version print through std::cout (CLI11): their output must reach its reader
// too, or the status says it did not (exit 7, as for every command's output).
int printed(int status) {
  std::cout.flush();
  if (!std::cout || !flush_stdout()) return kOutputFailed;
  return status;
}

}  // namespace

const Command* find_command(std::span<const Command> commands, std::string_view name) {
  for (const Command& c : commands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

int run_command_line(CLI::App& app, std::span<const Command> commands, int argc, char** argv) {
  app.require_subcommand(1);
  const std::string mistyped = mistyped_command(commands, std::vector<std::string>(argv + 1, argv + argc));
  if (!mistyped.empty()) {
    diag::say("%s", mistyped.c_str());
    return kUsage;
  }
  std::vector<std::string> args = with_default_command(commands, argc, argv);
  // Only the command that runs registers its options: registering every command's (hundreds
  // of CLI11 objects) was most of what a one-body run spent before reading its input. The
  // program's --help lists the commands by their summaries alone.
  const Command* named = args.empty() ? nullptr : find_command(commands, args[0]);
  std::vector<std::pair<CLI::App*, Run>> runs;
  for (const Command& c : commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    runs.emplace_back(sub, c.add != nullptr && &c == named ? c.add(*sub) : Run());
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes them last-first.
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return printed(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return printed(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return printed(app.exit(e));
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  }
  for (const auto& [sub, run] : runs) {
    if (sub->parsed() && run) return run();
  }
  return kUsage;
}

void open_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    int got = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got >= 0 && got != fd) {
      ::dup2(got, fd);
      ::close(got);
    }
  }
}

}  // namespace cmrelay::cli
