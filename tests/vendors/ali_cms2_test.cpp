#include <doctest/doctest.h>

#include "support.h"

using namespace cmrelay;
using test::decode_json;
using test::label;
using test::only;

namespace {

const char* kTrigger =
    R"({"specversion":"1.0","id":"ev-1","type":"ALERT","subtype":"NORMAL_TRIGGER","time":"2026-03-18T02:41:10Z",)"
    R"("timestamp":1773801670512,"subject":"disk full","severity":"WARNING","status":"OCCURRED","userId":"42",)"
    R"("ruleId":"r-9","alertEntityId":"ecs:i-77","resource":{"entity":{"domain":"ecs","entity_type":"instance",)"
    R"("entity_id":"i-77","prop":{"instanceName":"db-1"}},"tags":{"regionId":"cn-beijing"}},)"
    R"("labels":{"env":"prod","count":7,"source":"clash"},"annotations":{"current_value":"97"},)"
    R"("data":{"value":97,"threshold":90,"comparisonOperator":">="}})";

}  // namespace

TEST_CASE("ali.cms2: a trigger decodes: severity, title from subject, resource, labels, data") {
  auto d = decode_json(kTrigger);
  CHECK(d.format == "ali.cms2");
  CHECK(d.evidence == "subtype=NORMAL_TRIGGER, alertEntityId, resource, labels");
  const Event& e = only(d);
  CHECK(e.status == Status::Warning);
  CHECK(e.title == "disk full on db-1");
  CHECK(e.alert_key == "ali.cms2/disk full/i-77");
  CHECK(e.event_time == 1773801670);
  test::check_labels(e, {{"format", "ali.cms2"},
                         {"account_id", "42"},
                         {"region", "cn-beijing"},
                         {"resource_id", "i-77"},
                         {"resource_name", "db-1"},
                         {"resource", "db-1"},
                         {"check", "disk full"},
                         {"rule_id", "r-9"},
                         {"current_value", "97"},
                         {"threshold", ">= 90"},
                         {"env", "prod"},
                         {"count", "7"},
                         {"source", "alibaba"},
                         {"label_source", "clash"},
                         {"annotation_current_value", "97"},
                         {"data_value", "97"}});
}

TEST_CASE("ali.cms2: a minimal resolve, and a RECOVERED status, meet the trigger") {
  const std::string key = only(decode_json(kTrigger)).alert_key;
  auto minimal = decode_json(
      R"({"subtype":"NORMAL_RESOLVE","time":"2026-03-18T03:00:00Z","subject":"disk full","severity":"WARNING",)"
      R"("status":"RESOLVED","labels":{"instanceId":"i-77"}})");
  CHECK(minimal.format == "ali.cms2");
  CHECK(only(minimal).status == Status::Ok);
  CHECK(only(minimal).alert_key == key);
  CHECK(only(minimal).event_time == 1773802800);
  CHECK(only(minimal).title == "Recovered: disk full on i-77");
  auto recovered = decode_json(R"({"subject":"disk full","status":"RECOVERED","alertEntityId":"ecs:i-77"})");
  CHECK(recovered.evidence == "subject, status=RECOVERED, alertEntityId");
  CHECK(only(recovered).status == Status::Ok);
  CHECK(only(recovered).alert_key == key);
}

TEST_CASE("ali.cms2: every field may be absent; unknown severities are Info with a warning") {
  auto bare = decode_json(R"({"subtype":"NORMAL_TRIGGER"})");
  const Event& e = only(bare);
  CHECK(e.title == "Alibaba CloudMonitor alert");
  CHECK(e.status == Status::Info);
  CHECK(e.alert_key == "ali.cms2//");
  REQUIRE(bare.warnings.size() == 1);
  auto odd = decode_json(R"({"subject":"x","status":"OCCURRED","severity":"EMERGENCY"})");
  CHECK(only(odd).status == Status::Info);
  CHECK(label(only(odd), "vendor_severity") == "EMERGENCY");
  // A subject with some other status is not this format.
  CHECK(decode_json(R"({"subject":"x","status":"Executing"})").format.empty());
}

// Issue 22, item 5: a 2.0 body without subtype, specversion or subject, and status PERSISTENT.
TEST_CASE("ali.cms2: detection rests on the 2.0 body's own keys; PERSISTENT fires, RECOVERED meets it") {
  auto persistent = decode_json(test::source_file("samples/alibaba/cms2-persistent.json"));
  CHECK(persistent.format == "ali.cms2");
  CHECK(persistent.evidence == "status=PERSISTENT, workspace, ruleId, alertEntityId, resource, labels");
  const Event& e = only(persistent);
  CHECK(e.status == Status::Critical);
  CHECK(e.alert_key == "ali.cms2/rule-9f2c7a4e1b/i-uf6d3k9m2x7c1v5n8q4w");
  auto recovered = decode_json(test::source_file("samples/alibaba/cms2-recovered-bare.json"));
  CHECK(recovered.evidence == "status=RECOVERED, workspace, ruleId, alertEntityId");
  CHECK(only(recovered).status == Status::Ok);
  CHECK(only(recovered).alert_key == e.alert_key);
  CHECK(only(recovered).title == "Recovered: Alibaba CloudMonitor rule rule-9f2c7a4e1b on i-uf6d3k9m2x7c1v5n8q4w");
  // With a subject, PERSISTENT is recognised as OCCURRED is.
  CHECK(decode_json(R"({"subject":"x","status":"PERSISTENT"})").format == "ali.cms2");
  // One of the 2.0 keys is not enough, nor are the keys with another status.
  CHECK(decode_json(R"({"status":"PERSISTENT","ruleId":"r"})").error.find("unknown shape") == 0);
  CHECK(decode_json(R"({"status":"firing","ruleId":"r","workspace":"w"})").error.find("unknown shape") == 0);
}
