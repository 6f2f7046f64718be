// Which core command lines the light binary hands to cmrelay-full before parsing.
#include "cli/full.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

bool needs_full(std::vector<std::string> args) {
  args.insert(args.begin(), "cmrelay");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return cmrelay::cli::needs_full(static_cast<int>(args.size()), argv.data());
}

}  // namespace

TEST_CASE("full: routes test with --state runs in cmrelay-full; nothing else of the core does") {
  CHECK(needs_full({"routes", "test", "r.yaml", "--state", "s.db", "x.json"}));
  CHECK(needs_full({"routes", "test", "r.yaml", "--state=s.db"}));
  CHECK(needs_full({"routes", "test", "--state", "none", "r.yaml"}));
  CHECK_FALSE(needs_full({"routes", "test", "r.yaml", "x.json"}));
  CHECK_FALSE(needs_full({"routes", "test", "r.yaml", "--", "--state"}));  // A PATH named --state.
  CHECK_FALSE(needs_full({"routes", "check", "--state"}));
  CHECK_FALSE(needs_full({"convert", "--state"}));
  CHECK_FALSE(needs_full({"routes"}));
  CHECK_FALSE(needs_full({}));
}
