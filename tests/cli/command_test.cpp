// The command table's runner: the command named (or the default one) runs, and only it
// registers its options (the others' would only cost start-up time).
#include "cli/command.h"

#include <doctest/doctest.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"

using namespace cmrelay;

namespace {

std::vector<std::string> registered;
int x = 0;

cli::Run add_a(CLI::App& cmd) {
  registered.emplace_back("a");
  cmd.add_option("--x", x);
  return [] { return 10 + x; };
}

cli::Run add_b(CLI::App& cmd) {
  registered.emplace_back("b");
  cmd.add_flag("--y");
  return [] { return 3; };
}

int run(std::vector<std::string> words) {
  static const cli::Command kTable[] = {{"a", "The default", add_a}, {"b", "Another", add_b}};
  words.insert(words.begin(), "cmrelay");
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  CLI::App app{"test", "cmrelay"};
  registered.clear();
  x = 0;
  return cli::run_command_line(app, kTable, static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("command line: only the command that runs registers its options") {
  CHECK(run({"b", "--y"}) == 3);
  CHECK(registered == std::vector<std::string>{"b"});
  CHECK(run({"a", "--x", "4"}) == 14);
  CHECK(registered == std::vector<std::string>{"a"});
  CHECK(run({"--x", "5"}) == 15);  // The default command.
  CHECK(registered == std::vector<std::string>{"a"});
  CHECK(run({"b", "--x", "1"}) == cli::kUsage);  // a's option is not b's.
  CHECK(registered == std::vector<std::string>{"b"});
}
