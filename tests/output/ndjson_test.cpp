#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "output/ndjson.h"
#include "support.h"

using namespace cmrelay;

TEST_CASE("ndjson: the exact Flashduty body, one line per event, buffered to a real file") {
  Event e;
  e.status = Status::Warning;
  e.title = "t \"q\"";
  e.alert_key = "k";
  e.description = "line1\nline2";
  e.labels.add("region", "cn-beijing");
  e.event_time = 1740878100;
  rapidjson::StringBuffer sb;
  append_event_json(e, sb);
  CHECK(std::string(sb.GetString()) ==
        R"({"event_status":"Warning","title_rule":"t \"q\"","alert_key":"k","description":"line1\nline2",)"
        R"("labels":{"region":"cn-beijing"},"event_time":1740878100})");

  char path[] = "/tmp/cmrelay-ndjson-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::FILE* f = fdopen(fd, "w");
  {
    NdjsonWriter w(f, false);
    Event no_time = e;
    no_time.event_time = 0;
    w.write(no_time);
    std::vector<std::string> channels{"dba", "ops"};
    w.write(e, &channels);
    CHECK(w.flush());
  }
  std::fclose(f);
  std::string out = test::read_file(path);
  std::remove(path);
  CHECK(out.find("\"labels\":{\"region\":\"cn-beijing\"}}\n") != std::string::npos);  // No event_time.
  CHECK(out.find("\"event_time\":1740878100,\"channels\":[\"dba\",\"ops\"]}\n") != std::string::npos);
  CHECK(std::count(out.begin(), out.end(), '\n') == 2);
}
