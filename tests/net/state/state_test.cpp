#include "net/state/state.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace cmrelay::state;
using V = std::vector<std::string>;

namespace {

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("cmrelay-state-test-" + std::to_string(::getpid()));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

constexpr std::chrono::seconds kDay{86400};

}  // namespace

TEST_CASE("state: remember adds channels; closed forgets them one by one, then the alert") {
  TempDir dir;
  auto s = open_file(dir.file("a/b/state.db"), 30 * kDay);  // Its directory is created.
  s->remember("k", "Critical", "disk full", {"dba", "hot"}, 1000);
  s->remember("k", "Warning", "disk 90%", {"hot", "ops"}, 1060);
  OpenAlert a;
  REQUIRE(s->find("k", a));
  CHECK(a.channels == V{"dba", "hot", "ops"});
  CHECK(a.severity == "Warning");
  CHECK(a.title == "disk 90%");
  CHECK(a.first_seen == 1000);
  CHECK(a.last_seen == 1060);
  s->closed("k", "dba", a.generation);
  s->closed("k", "nowhere", a.generation);
  REQUIRE(s->find("k", a));
  CHECK(a.channels == V{"hot", "ops"});
  s->closed("k", "hot", a.generation);
  s->closed("k", "ops", a.generation);
  CHECK_FALSE(s->find("k", a));
}

TEST_CASE("state: a firing event after the recovery looked the alert up keeps it open") {
  TempDir dir;
  auto s = open_file(dir.file("state.db"), 30 * kDay);
  s->remember("k", "Critical", "t", {"dba"}, 1000);
  OpenAlert seen;
  REQUIRE(s->find("k", seen));
  s->remember("k", "Critical", "t", {"dba"}, 1001);  // Fired again before the recovery was delivered.
  s->closed("k", "dba", seen.generation);
  OpenAlert a;
  REQUIRE(s->find("k", a));
  CHECK(a.channels == V{"dba"});
}

TEST_CASE("state: survives reopening, lists in key order, forgets, and expires by age") {
  TempDir dir;
  const std::string path = dir.file("state.db");
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  {
    auto s = open_file(path, 30 * kDay);
    for (int i = 0; i < 2500; ++i) s->remember("k" + std::to_string(i), "Info", "t", {"ops"}, now);
    s->remember("old", "Info", "t", {"ops"}, now - 31 * 86400);
  }
  auto s = open_file(path, 30 * kDay);
  size_t n = 0;
  std::string last;
  s->each([&](const OpenAlert& a) {
    CHECK(a.alert_key > last);
    last = a.alert_key;
    ++n;
  });
  CHECK(n == 2501);  // Opening expires at most once an hour: "old" is still there.
  CHECK(s->expire(now) == 1);
  CHECK(s->forget("k7"));
  CHECK_FALSE(s->forget("k7"));
  CHECK(s->forget_all() == 2499);
  OpenAlert a;
  CHECK_FALSE(s->find("k8", a));
}

TEST_CASE("state: a file that is no state, or of a newer schema, is an error naming it") {
  TempDir dir;
  const std::string junk = dir.file("junk.db");
  std::ofstream(junk) << std::string(4096, 'x');
  CHECK_THROWS_WITH_AS(open_file(junk, kDay), (junk + ": cannot use the state file: file is not a database").c_str(),
                       StateError);
  const std::string newer = dir.file("newer.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(newer.c_str(), &db) == SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_WITH_AS(open_file(newer, kDay),
                       (newer + ": written by a newer cmrelay (state schema 99, this one knows 1)").c_str(),
                       StateError);
  CHECK_THROWS_AS(open_file(dir.file("absent.db"), kDay, true), StateError);
}

TEST_CASE("state: the default location follows the XDG base directories") {
  const char* xdg = std::getenv("XDG_STATE_HOME");
  const char* home = std::getenv("HOME");
  std::string saved_xdg = xdg ? xdg : "", saved_home = home ? home : "";
  ::setenv("XDG_STATE_HOME", "/x/state", 1);
  ::setenv("HOME", "/home/u", 1);
  CHECK(default_path() == "/x/state/cmrelay/state.db");
  ::setenv("XDG_STATE_HOME", "relative", 1);  // Not absolute: ignored, as the spec says.
  CHECK(default_path() == "/home/u/.local/state/cmrelay/state.db");
  ::unsetenv("XDG_STATE_HOME");
  CHECK(default_path() == "/home/u/.local/state/cmrelay/state.db");
  ::unsetenv("HOME");
  CHECK(default_path().empty());
  if (xdg) ::setenv("XDG_STATE_HOME", saved_xdg.c_str(), 1);
  if (home) ::setenv("HOME", saved_home.c_str(), 1);
}
