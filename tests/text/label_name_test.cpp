#include "text/label_name.h"

#include <doctest/doctest.h>

#include <string>

using namespace cmrelay;

TEST_CASE("label names are Prometheus style") {
  CHECK(label_name("", "instanceId") == "instance_id");
  CHECK(label_name("", "ResourceID") == "resource_id");
  CHECK(label_name("", "NameCN") == "name_cn");
  CHECK(label_name("", "HTTPCode") == "http_code");
  CHECK(label_name("dim_", "x.y-z") == "dim_x_y_z");
  CHECK(label_name("", "team") == "team");
  CHECK(label_name("", "4xxRatio") == "_4xx_ratio");
  CHECK(label_name("tag_", "__a__") == "tag_a");
  // Beyond ASCII: each character its own readable, recoverable word (not an opaque hash).
  CHECK(label_name("", "\xE7\x8E\xAF\xE5\xA2\x83") == "u73af_u5883");                                   // 环境
  CHECK(label_name("tag_", "CPU\xE4\xBD\xBF\xE7\x94\xA8\xE7\x8E\x87") == "tag_cpu_u4f7f_u7528_u7387");  // CPU使用率
  CHECK(label_name("", "app\xE7\x8E\xAF\xE5\xA2\x83") != label_name("", "app"));
  CHECK(label_name("", "caf\xC3\xA9") == "caf_u00e9");
  CHECK(label_name("", "\xF0\x9F\x94\xA5x") == "u1f525_x");
  // No letter, digit or character at all: still a short stable hash.
  std::string junk = label_name("", "\xFF\xFE");
  CHECK(junk.rfind("key_", 0) == 0);
  CHECK(junk.size() == 12);
  CHECK(junk != label_name("", "--"));
}
