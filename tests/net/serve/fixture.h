// Serve test helpers: a temporary directory removed at the end, and a file read whole ("" when
// it is missing).
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace cmrelay::test {

struct TempDir {
  TempDir() {
    char t[] = "/tmp/cmrelay-serve-test-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string path;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace cmrelay::test
