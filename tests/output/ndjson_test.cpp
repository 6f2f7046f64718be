#include "output/ndjson.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <string>

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

// The compact writer is hand-written for speed; RapidJSON's Writer is the reference it must
// match byte for byte, on every byte value and at every position around its 16-byte blocks.
TEST_CASE("ndjson: the compact writer gives exactly what RapidJSON's Writer gives") {
  uint32_t seed = 12345;
  auto rnd = [&] { return seed = seed * 1103515245u + 12345u, seed >> 16; };
  for (int round = 0; round < 2000; ++round) {
    Event e;
    auto random_text = [&] {
      std::string s(rnd() % 70, '\0');
      for (char& c : s) {
        // Every third round mostly plain text: whole 16-byte blocks and tails without escapes.
        const unsigned r = rnd() % (round % 3 == 1 ? 64 : 8);
        c = r == 0   ? static_cast<char>(rnd() % 0x20)
            : r == 1 ? '"'
            : r == 2 ? '\\'
            : r == 3 ? static_cast<char>(0x80 + rnd() % 0x80)
                     : static_cast<char>(0x20 + rnd() % 0x60);
      }
      return s;
    };
    e.status = static_cast<Status>(rnd() % 4);
    e.title = random_text();
    e.alert_key = random_text();
    e.description = random_text();
    for (unsigned i = rnd() % 4; i > 0; --i) e.labels.set(random_text() + "k", random_text());
    e.event_time = round % 3 == 0 ? 0 : static_cast<int64_t>(rnd()) - 30000;
    std::vector<std::string> channels{random_text(), random_text()};
    const std::vector<std::string>* ch = round % 2 ? &channels : nullptr;

    rapidjson::StringBuffer ours;
    append_event_json(e, ours, false, ch);

    // The reference: the pretty form (RapidJSON's PrettyWriter), read back and written
    // compactly by RapidJSON's Writer.
    rapidjson::StringBuffer pretty;
    append_event_json(e, pretty, true, ch);
    rapidjson::Document doc;
    doc.Parse(pretty.GetString(), pretty.GetSize());
    REQUIRE_FALSE(doc.HasParseError());
    rapidjson::StringBuffer ref;
    rapidjson::Writer<rapidjson::StringBuffer> w(ref);
    doc.Accept(w);
    REQUIRE(std::string(ours.GetString(), ours.GetSize()) == std::string(ref.GetString(), ref.GetSize()));
  }
}
