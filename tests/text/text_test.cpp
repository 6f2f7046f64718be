#include <doctest/doctest.h>

#include <string>

#include "text/base64.h"
#include "text/label_name.h"
#include "text/utf8.h"

using namespace cmrelay;

TEST_CASE("utf8: validation") {
  CHECK(utf8::valid("plain"));
  CHECK(utf8::valid("\xE5\xAE\x9E\xE4\xBE\x8B ID \xF0\x9F\x94\xA5"));
  CHECK(utf8::find_invalid("ab\xC3") == 2);          // Cut short.
  CHECK(utf8::find_invalid("a\xC0\xAF") == 1);       // Overlong.
  CHECK(utf8::find_invalid("\xED\xA0\x80") == 0);    // Surrogate.
  CHECK(utf8::find_invalid("\xF4\x90\x80\x80") == 0);  // Above U+10FFFF.
  CHECK(utf8::find_invalid("x\x80") == 1);           // Stray continuation.
  CHECK(utf8::length("a\xE5\xAE\x9E\xF0\x9F\x94\xA5") == 3);
}

TEST_CASE("utf8: truncation counts code points and never splits one") {
  std::string s = "\xE5\xAE\x9E\xE4\xBE\x8B\xE5\x90\x8D";  // Three CJK characters, 9 bytes.
  std::string t = s;
  CHECK_FALSE(utf8::truncate(t, 3));
  CHECK(t == s);
  CHECK(utf8::truncate(t, 2));
  CHECK(t == "\xE5\xAE\x9E\xE4\xBE\x8B");
  CHECK(utf8::valid(t));
  std::string ascii(600, 'a');
  CHECK(utf8::truncate(ascii, 512));
  CHECK(ascii.size() == 512);
  std::string emoji;
  for (int i = 0; i < 300; ++i) emoji += "\xF0\x9F\x94\xA5";
  CHECK(utf8::truncate(emoji, 255));
  CHECK(utf8::length(emoji) == 255);
  CHECK(emoji.size() == 255 * 4);
}

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
  CHECK(label_name("", "\xE7\x8E\xAF\xE5\xA2\x83") == "u73af_u5883");  // 环境
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

TEST_CASE("base64") {
  CHECK(base64::encode("") == "");
  CHECK(base64::encode("f") == "Zg==");
  CHECK(base64::encode("fo") == "Zm8=");
  CHECK(base64::encode("foo") == "Zm9v");
  CHECK(base64::encode("\xFF\xFE\x00x") == "//4=");  // Stops at the NUL of the literal.
  CHECK(base64::encode(std::string("\xFF\xFE\x00x", 4)) == "//4AeA==");
}

