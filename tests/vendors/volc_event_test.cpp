#include <doctest/doctest.h>

#include "support.h"

using namespace cmrelay;
using test::decode;
using test::label;

TEST_CASE("volc.event: most severe rule decides; description falls back to DescriptionCN") {
  auto d = decode(R"({"Type":"Event","AccountId":"21","Region":"cn-shanghai","Source":"ecs","Id":"ev-1",
    "EventType":"ecs:Disk:DiskError","DescriptionCN":"云盘故障","HappenedAt":1750140300,
    "Details":{"subject":"i-9","volcresourcename":"db-1","data":{"diskId":"vol-1"}},
    "Rules":[{"RuleId":"a","RuleName":"audit","Level":"notice"},{"RuleId":"b","RuleName":"page","Level":"Critical"},
             {"RuleId":"c","RuleName":"warn","Level":"warning"}]})");
  REQUIRE(d.error == "");
  CHECK(d.format == "volc.event");
  REQUIRE(d.events.size() == 1);
  const Event& e = d.events[0];
  CHECK(e.status == Status::Critical);
  CHECK(e.alert_key == "volc.event/ev-1");
  CHECK(e.title == "ecs:Disk:DiskError on db-1 (cn-shanghai)");
  CHECK(e.event_time == 1750140300);
  CHECK(e.description.rfind("云盘故障\n", 0) == 0);
  CHECK(label(e, "rule_id") == "b");
  CHECK(label(e, "rule_name") == "page");
  CHECK(label(e, "vendor_severity") == "Critical");
  CHECK(label(e, "event_type") == "ecs:Disk:DiskError");
  CHECK(label(e, "resource_id") == "i-9");
  CHECK(label(e, "resource_name") == "db-1");
  CHECK(label(e, "rules") == "audit (notice), page (Critical), warn (warning)");
  CHECK(label(e, "detail_data") == "{\"diskId\":\"vol-1\"}");
}

TEST_CASE("volc.event: Description wins, a lone rule, no rules at all") {
  auto d = decode(R"({"Type":"Event","Id":"e2","EventType":"x","Description":"English","DescriptionCN":"中文",
    "Rules":[{"RuleId":"a","RuleName":"r","Level":"warning"}]})");
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].status == Status::Warning);
  CHECK(d.events[0].description.rfind("English\n", 0) == 0);
  CHECK(label(d.events[0], "rules") == "<absent>");
  auto none = decode(R"({"Type":"Event","Id":"e3","EventType":"x"})");
  REQUIRE(none.events.size() == 1);
  CHECK(none.events[0].status == Status::Info);
  CHECK(none.warnings.size() == 1);
  CHECK(decode(R"({"Type":"Event","Id":"e4","Rules":"x"})").error == "field Rules: expected an array, got a string");
}

TEST_CASE("volc.event: a Details object with very many members fills the labels and stops") {
  std::string details;
  for (int i = 0; i < 200000; ++i) details += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":\"v\"";
  auto d = decode(R"({"Type":"Event","Id":"big","EventType":"x","Rules":[{"Level":"warning"}],"Details":{)" + details +
                  "}}");
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].labels.size() == 50);
  CHECK(label(d.events[0], "detail_k0") == "v");
}
