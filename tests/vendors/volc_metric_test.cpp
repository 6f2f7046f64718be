#include <doctest/doctest.h>

#include "support.h"

using namespace cmrelay;
using test::decode;
using test::label;

namespace {

std::string body(
    std::string_view type, std::string_view array, std::string_view level = "critical",
    std::string_view resources = R"([{"Id":"i-1","Name":"web-1","Region":"cn-beijing","LastAlertTime":1740878100,
   "Metrics":[{"Name":"CpuTotal","Unit":"Percent","Threshold":85,"CurrentValue":97.2,"Warning":true}],
   "Dimensions":[{"Name":"ResourceID","NameCn":"x","Value":"i-1"}]}])") {
  return R"({"Type":")" + std::string(type) +
         R"(","AccountId":"21","RuleName":"cpu","RuleId":"r-1","Namespace":"VCM_ECS",
    "Level":")" +
         std::string(level) + R"J(","HappenedAt":"2025-03-02 09:20:00(UTC+08:00)",")J" + std::string(array) + R"(":)" +
         std::string(resources) + R"(,"Tags":[{"Key":"team","Value":"pay"},{"Key":"region","Value":"t"}]})";
}

}  // namespace

TEST_CASE("volc.metric: firing event, labels, title, time") {
  auto d = decode(body("Metric", "Resources"));
  REQUIRE(d.error == "");
  CHECK(d.format == "volc.metric");
  REQUIRE(d.events.size() == 1);
  const Event& e = d.events[0];
  CHECK(e.status == Status::Critical);
  CHECK(e.title == "cpu on web-1: CpuTotal 97.2% (threshold 85%)");
  CHECK(e.alert_key == "volc.metric/r-1/i-1/ResourceID=i-1");
  CHECK(e.event_time == 1740878100);  // LastAlertTime for a firing.
  CHECK(label(e, "source") == "volcengine");
  CHECK(label(e, "format") == "volc.metric");
  CHECK(label(e, "account_id") == "21");
  CHECK(label(e, "region") == "cn-beijing");
  CHECK(label(e, "resource_id") == "i-1");
  CHECK(label(e, "resource_name") == "web-1");
  CHECK(label(e, "rule_id") == "r-1");
  CHECK(label(e, "rule_name") == "cpu");
  CHECK(label(e, "namespace") == "VCM_ECS");
  CHECK(label(e, "metric") == "CpuTotal");
  CHECK(label(e, "current_value") == "97.2");
  CHECK(label(e, "threshold") == "85");
  CHECK(label(e, "event_type") == "Metric");
  CHECK(label(e, "team") == "pay");
  CHECK(label(e, "tag_region") == "t");  // A tag that clashes with a contract label.
  CHECK(label(e, "dim_resource_id") == "i-1");
  CHECK(e.description.find("Metrics:\n- CpuTotal 97.2% (threshold 85%) [breached]") != std::string::npos);
  CHECK(e.description.find("Happened at: 2025-03-02 09:20:00 UTC+08:00") != std::string::npos);
}

TEST_CASE("volc.metric: every Type, recovery sharing the firing key") {
  auto fire = decode(body("Metric", "Resources"));
  auto rec = decode(body("MetricRecovered", "RecoveredResources"));
  REQUIRE(rec.events.size() == 1);
  CHECK(rec.events[0].status == Status::Ok);
  CHECK(rec.events[0].title.rfind("Recovered: cpu on web-1", 0) == 0);
  CHECK(rec.events[0].alert_key == fire.events[0].alert_key);
  CHECK(rec.events[0].event_time == 1740878400);  // HappenedAt for a recovery.

  auto nodata = decode(body("MetricsNoData", "NoDataResources", "warning"));
  REQUIRE(nodata.events.size() == 1);
  CHECK(nodata.events[0].status == Status::Warning);  // Fires at the body's Level.
  CHECK(nodata.events[0].title.rfind("No data: cpu on web-1", 0) == 0);
  auto back = decode(body("NoDataRecovered", "NoDataRecoveredResources", "warning"));
  REQUIRE(back.events.size() == 1);
  CHECK(back.events[0].status == Status::Ok);
  CHECK(back.events[0].alert_key == nodata.events[0].alert_key);
  CHECK(nodata.events[0].alert_key != fire.events[0].alert_key);  // A no-data alarm is its own alert.
}

TEST_CASE("volc.metric: Level in any case, notice is Info, unknown is Info with a warning") {
  CHECK(decode(body("Metric", "Resources", "CRITICAL")).events[0].status == Status::Critical);
  CHECK(decode(body("Metric", "Resources", "Warning")).events[0].status == Status::Warning);
  CHECK(decode(body("Metric", "Resources", "notice")).events[0].status == Status::Info);
  auto odd = decode(body("Metric", "Resources", "disaster"));
  CHECK(odd.events[0].status == Status::Info);
  CHECK(label(odd.events[0], "vendor_severity") == "disaster");
  REQUIRE(odd.warnings.size() == 1);
}

TEST_CASE("volc.metric: one event per resource; resources never share a key") {
  auto d = decode(body("Metric", "Resources", "warning", R"([
    {"Id":"i-1","Name":"a","Metrics":[{"Name":"M","CurrentValue":"5","Threshold":1}]},
    {"Id":"i-2","Name":"b","Metrics":[{"Name":"M","CurrentValue":6,"Threshold":1}]},
    {"Id":"i-2","Name":"b","Dimensions":[{"Name":"Disk","NameCN":"d","Value":"vdb"}]}])"));
  REQUIRE(d.events.size() == 3);
  CHECK(label(d.events[0], "current_value") == "5");
  CHECK(label(d.events[1], "current_value") == "6");
  CHECK(d.events[0].alert_key != d.events[1].alert_key);
  CHECK(d.events[1].alert_key != d.events[2].alert_key);
  CHECK(label(d.events[2], "dim_disk") == "vdb");
}

TEST_CASE("volc.metric: missing Type uses the non-empty array; no resources gives one policy event") {
  std::string no_type = body("X", "RecoveredResources");
  no_type.replace(no_type.find("\"Type\":\"X\","), 11, "");
  auto d = decode(no_type);
  REQUIRE(d.error == "");
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].status == Status::Ok);

  auto empty = decode(body("MetricsNoData", "NoDataResources", "critical", "[]"));
  REQUIRE(empty.events.size() == 1);
  CHECK(empty.events[0].status == Status::Critical);
  CHECK(empty.events[0].alert_key == "volc.metric/r-1///nodata");
  CHECK(empty.events[0].title == "No data: cpu");
}

TEST_CASE("volc.metric: wrong field types are precise errors") {
  auto d = decode(body("Metric", "Resources", "critical", R"("i-1")"));
  CHECK(d.error == "field Resources: expected an array, got a string");
  auto m = decode(body("Metric", "Resources", "critical", R"([{"Id":"i-1","Metrics":{"Name":"x"}}])"));
  CHECK(m.error == "field Resources[0].Metrics: expected an array, got an object");
  auto r = decode(body("Metric", "Resources", "critical", R"([42])"));
  CHECK(r.error == "field Resources[0]: expected an object, got a number");
  auto id = decode(body("Metric", "Resources", "critical", R"([{"Id":{"x":1}}])"));
  CHECK(id.error == "field Resources[0].Id: expected text, got an object");
}

TEST_CASE("volc.metric: with several wrong fields, the first one read is the one named") {
  // The primary metric is read once per resource, where it is first needed: after the alert
  // key's dimensions and the title's no-data list, as when each part read it for itself.
  auto dims =
      decode(body("Metric", "Resources", "critical",
                  R"([{"Id":"i-1","Dimensions":[{"Name":{},"Value":"x"}],"Metrics":[{"Name":{},"Warning":true}]}])"));
  CHECK(dims.error == "field Resources[0].Dimensions[].Name: expected text, got an object");
  auto id = decode(body("Metric", "Resources", "critical", R"([{"Id":{"x":1},"Metrics":{"Name":"x"}}])"));
  CHECK(id.error == "field Resources[0].Id: expected text, got an object");
  auto list = decode(body("MetricsNoData", "NoDataResources", "critical",
                          R"([{"Id":"i-1","NoDataMetrics":[{"Name":[]}],"Metrics":[{"Name":{},"Warning":true}]}])"));
  CHECK(list.error == "field NoDataResources[0].Name: expected text, got an array");
  auto unit = decode(body("Metric", "Resources", "critical",
                          R"([{"Id":"i-1","Metrics":[{"Name":"a","Unit":[]},{"Name":"b","CurrentValue":{}}]}])"));
  CHECK(unit.error == "field Resources[0].Metrics[].Unit: expected text, got an array");
  auto other = decode(body("MetricRecovered", "RecoveredResources", "critical",
                           R"([{"Id":"i-1","Metrics":[{"Name":"a","Description":{}},{"Name":"b","Threshold":[]}]}])"));
  CHECK(other.error == "field RecoveredResources[0].Metrics[].Description: expected text, got an object");
}

TEST_CASE("volc.metric: the primary metric shows the same in the title, the labels and the description") {
  auto d = decode(body("Metric", "Resources", "critical",
                       R"([{"Id":"i-1","Metrics":[{"Name":"a","CurrentValue":1.5,"Threshold":2,"Unit":"Count"},)"
                       R"({"Name":"cpu","CurrentValue":97.25,"Threshold":"85","Unit":"Percent","Warning":true}]}])"));
  REQUIRE(d.error == "");
  REQUIRE(d.events.size() == 1);
  const Event& e = d.events[0];
  CHECK(e.title.find(": cpu 97.25% (threshold 85%)") != std::string::npos);
  CHECK(e.description.find("- a 1.5 (threshold 2)\n- cpu 97.25% (threshold 85%) [breached]\n") != std::string::npos);
  CHECK(*e.labels.find("metric") == "cpu");
  CHECK(*e.labels.find("current_value") == "97.25");
  CHECK(*e.labels.find("threshold") == "85");
  CHECK(*e.labels.find("unit") == "Percent");
}

TEST_CASE("volc.metric: the capture's trace id becomes a label") {
  auto d = decode(body("Metric", "Resources"), BodyKind::Json, {}, "5b0e7f7c");
  CHECK(label(d.events[0], "volc_trace_id") == "5b0e7f7c");
}

TEST_CASE("volc.metric: ',' and '=' inside dimension values cannot make two resources share a key") {
  auto two = decode(body("Metric", "Resources", "warning",
                         R"([{"Id":"i-1","Dimensions":[{"Name":"a","Value":"x"},{"Name":"b","Value":"y"}]}])"));
  auto one =
      decode(body("Metric", "Resources", "warning", R"([{"Id":"i-1","Dimensions":[{"Name":"a","Value":"x,b=y"}]}])"));
  REQUIRE(two.events.size() == 1);
  REQUIRE(one.events.size() == 1);
  CHECK(two.events[0].alert_key == "volc.metric/r-1/i-1/a=x,b=y");
  CHECK(one.events[0].alert_key != two.events[0].alert_key);
}

TEST_CASE("volc.metric: no rule name, id or resources still gives a title (send refuses an empty one)") {
  auto d = decode(R"({"Type":"MetricsNoData","Level":"warning","NoDataResources":[]})");
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].title == "No data: Volcengine metric alarm");
  auto ns = decode(R"({"Type":"Metric","Namespace":"VCM_ECS","Level":"warning","Resources":[]})");
  REQUIRE(ns.events.size() == 1);
  CHECK(ns.events[0].title == "VCM_ECS alarm");
}

TEST_CASE("volc.metric: the title counts only breached metrics; DescriptionCN and TriggerCondition are shown") {
  auto d = decode(body("Metric", "Resources", "warning", R"([{"Id":"i-1","Name":"web-1","AlertGroupId":"g-1","Metrics":[
      {"Name":"A","CurrentValue":1,"Threshold":5,"DescriptionCN":"甲"},
      {"Name":"B","CurrentValue":9,"Threshold":5,"Warning":true,"DescriptionCn":"乙","TriggerCondition":"B > 5 for 3 periods"},
      {"Name":"C","CurrentValue":2,"Threshold":5,"Description":"gamma"}]}])"));
  REQUIRE(d.events.size() == 1);
  const Event& e = d.events[0];
  CHECK(e.title == "cpu on web-1: B 9 (threshold 5)");
  CHECK(e.description.find("- A 1 (threshold 5) - 甲\n") != std::string::npos);
  CHECK(e.description.find("- B 9 (threshold 5) - 乙 [breached]\n  when: B > 5 for 3 periods\n") != std::string::npos);
  CHECK(e.description.find("- C 2 (threshold 5) - gamma") != std::string::npos);
  auto two = decode(body("Metric", "Resources", "warning", R"([{"Id":"i-1","Metrics":[
      {"Name":"A","CurrentValue":7,"Warning":true},{"Name":"B","CurrentValue":9,"Warning":true},{"Name":"C"}]}])"));
  CHECK(two.events[0].title == "cpu on i-1: A 7 +1 more breached");
}

TEST_CASE("volc.metric: a recovery with empty Dimensions and Metrics meets its firing event through AlertGroupId") {
  auto fire = decode(body("Metric", "Resources", "critical", R"([{"Id":"i-1","AlertGroupId":"g-7",
      "Metrics":[{"Name":"M","CurrentValue":9,"Warning":true}],"Dimensions":[{"Name":"ResourceID","Value":"i-1"}]}])"));
  auto ok = decode(body("MetricRecovered", "RecoveredResources", "critical",
                        R"([{"Id":"i-1","AlertGroupId":"g-7","Metrics":[],"Dimensions":[]}])"));
  REQUIRE(fire.events.size() == 1);
  REQUIRE(ok.events.size() == 1);
  CHECK(fire.events[0].alert_key == "volc.metric/r-1/i-1/group=g-7");
  CHECK(ok.events[0].alert_key == fire.events[0].alert_key);
  CHECK(ok.events[0].status == Status::Ok);
}

TEST_CASE("volc.metric: MetricsNoData fires at Level unless the severity table has a nodata entry") {
  CHECK(decode(body("MetricsNoData", "NoDataResources", "critical")).events[0].status == Status::Critical);
  SeverityTable table;
  table.set(Vendor::Volcengine, "nodata", Status::Info);
  CHECK(test::decode(body("MetricsNoData", "NoDataResources", "critical"), BodyKind::Json, table).events[0].status ==
        Status::Info);
  CHECK(test::decode(body("Metric", "Resources", "critical"), BodyKind::Json, table).events[0].status ==
        Status::Critical);
}
