// The per-attempt log lines (send -v, --log-format json): a machine reads the JSON form, so
// it must be JSON whatever bytes a server answered with.
#include "net/deliver/attempt_log.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "text/utf8.h"

using namespace cmrelay;

TEST_CASE("attempt log: a server's message that is not UTF-8 still makes a JSON line") {
  deliver::AttemptLine l;
  l.what = "attempt";
  l.channel = "ops";
  l.url = "http://127.0.0.1:9/";
  l.attempt = 1;
  l.http_status = 400;
  l.error = "HTTP 400: \xE9\x87 bad";
  l.result = "failed";
  const std::string line = deliver::format_attempt_line(l, true);
  CHECK(utf8::valid(line));
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["error"].GetString()) == "HTTP 400: \\xe9\\x87 bad");
  CHECK(std::string(doc["channel"].GetString()) == "ops");
}
