#include <doctest/doctest.h>

#include "support.h"

using namespace cmrelay;
using test::decode_form;
using test::decode_json;
using test::form_escape;
using test::label;
using test::only;

namespace {

std::string body(
    std::string_view level = "CRITICAL",
    std::string_view content = R"("{\"instanceId\":\"i-m5e2\",\"executeStartTime\":\"2025-06-18T18:00:00Z\"}")",
    std::string_view id = "ev-1") {
  return R"({"traceId":"tr-1","id":")" + std::string(id) +
         R"(","resourceId":"acs:ecs:cn-qingdao:1270449913360928:instance/i-m5e2","product":"ECS","ver":"1.0",)"
         R"("instanceName":"etl-4","level":")" +
         std::string(level) +
         R"(","groupId":"0","eventTime":"20250615T224518.233+0800","userId":"1270449913360928",)"
         R"("name":"Instance:SystemMaintenance.Reboot:Scheduled","ruleName":"ecs-maintenance","status":"Scheduled",)"
         R"("eventType":"Maintenance","content":)" +
         std::string(content) + "}";
}

}  // namespace

TEST_CASE("ali.sysevent: content as a JSON string") {
  auto d = decode_json(body());
  CHECK(d.format == "ali.sysevent");
  CHECK(d.evidence == "eventTime, name, product, level");
  const Event& e = only(d);
  CHECK(e.status == Status::Critical);
  CHECK(e.alert_key == "ali.sysevent/ev-1");
  CHECK(e.title == "Instance:SystemMaintenance.Reboot:Scheduled on etl-4 (cn-qingdao): Scheduled");
  CHECK(e.event_time == 1749998718);
  test::check_labels(e, {{"account_id", "1270449913360928"},
                         {"region", "cn-qingdao"},
                         {"resource_id", "i-m5e2"},
                         {"resource_name", "etl-4"},
                         {"rule_name", "ecs-maintenance"},
                         {"namespace", "ECS"},
                         {"event_type", "Instance:SystemMaintenance.Reboot:Scheduled"},
                         {"vendor_severity", "CRITICAL"},
                         {"content_instance_id", "i-m5e2"},
                         {"content_execute_start_time", "2025-06-18T18:00:00Z"}});
  CHECK(e.description.find("Happened at: 2025-06-15 22:45:18 UTC+08:00") != std::string::npos);
}

TEST_CASE("ali.sysevent: content as an object gives the same labels") {
  const Event from_string = only(decode_json(body()));
  const Event from_object =
      only(decode_json(body("CRITICAL", R"({"instanceId":"i-m5e2","executeStartTime":"2025-06-18T18:00:00Z"})")));
  CHECK(from_object.alert_key == from_string.alert_key);
  CHECK(label(from_object, "content_instance_id") == "i-m5e2");
  CHECK(from_object.description == from_string.description);
}

TEST_CASE("ali.sysevent: content that is text, not JSON, is kept as text; so is broken JSON, with a warning") {
  auto text = decode_json(body("INFO", R"("disk replaced")"));
  CHECK(label(only(text), "content") == "disk replaced");
  CHECK(text.warnings.empty());
  auto broken = decode_json(body("INFO", R"("{\"instanceId\":")"));
  const Event& e = only(broken);
  CHECK(e.alert_key == "ali.sysevent/ev-1");
  CHECK(label(e, "content") == R"({"instanceId":)");
  CHECK(label(e, "resource_id") == "i-m5e2");
  CHECK(e.description.find(R"(Content: {"instanceId":)") != std::string::npos);
  REQUIRE(broken.warnings.size() == 1);
  CHECK(broken.warnings[0].find("field content: JSON inside the string") != std::string::npos);
  CHECK(broken.warnings[0].find("kept as text in label content") != std::string::npos);
  CHECK(broken.warnings[0].find(".;") == std::string::npos);
}

TEST_CASE("ali.sysevent: a huge content object keeps labels up to Flashduty's 50") {
  std::string content = R"({"instanceId":"i-big")";
  for (int i = 0; i < 150000; ++i) content += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  auto d = decode_json(body("INFO", content + "}"));
  const Event& e = only(d);
  CHECK(e.labels.size() == 50);
  CHECK(label(e, "content_instance_id") == "i-big");
  CHECK(label(e, "content_k0") == "0");
  CHECK(label(e, "content_k149999") == "<absent>");
  REQUIRE(d.warnings.size() == 1);
}

TEST_CASE("ali.sysevent: always firing, at every level spelling") {
  struct Case {
    const char* level;
    Status status;
  };
  for (Case c : {Case{"CRITICAL", Status::Critical}, Case{"critical", Status::Critical}, Case{"WARN", Status::Warning},
                 Case{"WARNING", Status::Warning}, Case{"Warning", Status::Warning}, Case{"INFO", Status::Info},
                 Case{"info", Status::Info}}) {
    CAPTURE(c.level);
    CHECK(only(decode_json(body(c.level))).status == c.status);
  }
}

TEST_CASE("ali.sysevent: the key is the event id; other events get other keys") {
  CHECK(only(decode_json(body("CRITICAL", "{}", "ev-2"))).alert_key == "ali.sysevent/ev-2");
  CHECK(only(decode_json(body("CRITICAL", "{}", "ev-2"))).alert_key != only(decode_json(body())).alert_key);
  // No id: the event name and resource, never the traceId or a time (both change per delivery).
  CHECK(only(decode_json(R"({"traceId":"tr-9","eventTime":"20250615T224518Z","name":"X","level":"INFO"})")).alert_key ==
        "ali.sysevent/X/");
}

namespace {
// A legacy body as seen in the wild: no eventTime, id, ver, userId or ruleName.
std::string minimal(std::string_view trace, std::string_view status, std::string_view om_id = "") {
  std::string content = R"({"instanceId":"i-m1")";
  if (!om_id.empty())
    content += R"(,"eventId":")" + std::string(om_id) + R"(","eventStatus":")" + std::string(status) + R"(")";
  content += "}";
  return R"({"traceId":")" + std::string(trace) +
         R"(","product":"ECS","level":"WARN","instanceName":"batch-1",)"
         R"("resourceId":"acs:ecs:cn-beijing:1270449913360928:instance/i-m1","regionId":"cn-beijing","groupId":"0",)"
         R"("name":"Instance:SystemMaintenance.Reboot:)" +
         std::string(status) + R"(","status":")" + std::string(status) + R"(","content":)" + content + "}";
}
}  // namespace

TEST_CASE("ali.sysevent: bodies without eventTime, id, ver, userId or ruleName are recognised and keyed stably") {
  auto d = decode_json(minimal("tr-1", "Executing"));
  CHECK(d.format == "ali.sysevent");
  CHECK(d.evidence == "name, product, level, resourceId=acs:...");
  const Event& e = only(d);
  CHECK(e.status == Status::Warning);
  CHECK(e.alert_key ==
        "ali.sysevent/Instance:SystemMaintenance.Reboot:Executing/acs:ecs:cn-beijing:1270449913360928:instance%2Fi-m1");
  // Another delivery (new traceId) of the same event meets it.
  CHECK(only(decode_json(minimal("tr-2", "Executing"))).alert_key == e.alert_key);
  // Without the acs: ARN the keys are not distinctive: not this format.
  CHECK(decode_json(R"({"name":"x","product":"p","level":"INFO","resourceId":"i-1"})").format.empty());
}

TEST_CASE("ali.sysevent: an ECS O&M event is one alert across its notifications; its terminal states resolve it") {
  const std::string key = "ali.sysevent/om/e-77";
  for (const char* status : {"Scheduled", "Executing", "Inquiring"}) {
    CAPTURE(status);
    const Event e = only(decode_json(minimal("tr", status, "e-77")));
    CHECK(e.status == Status::Warning);
    CHECK(e.alert_key == key);
    CHECK(label(e, "om_status") == status);
  }
  for (const char* status : {"Executed", "Canceled", "Failed", "Avoided"}) {
    CAPTURE(status);
    const Event e = only(decode_json(minimal("tr", status, "e-77")));
    CHECK(e.status == Status::Ok);
    CHECK(e.alert_key == key);
    CHECK(e.title.rfind("Ended: ", 0) == 0);
  }
}

TEST_CASE("ali.sysevent: posted as a form, a '+' of the offset decoded to a space") {
  std::string form = "id=ev-3&name=" + form_escape("Instance:StateChange") +
                     "&product=ECS&level=INFO&regionId=cn-qingdao&eventTime=20250615T224518.233+0800"
                     "&content=" +
                     form_escape(R"({"state":"Stopped"})");
  auto d = decode_form(form);
  CHECK(d.format == "ali.sysevent");
  const Event& e = only(d);
  CHECK(e.event_time == 1749998718);
  CHECK(label(e, "content_state") == "Stopped");
  CHECK(e.title == "Instance:StateChange (cn-qingdao)");
}

TEST_CASE("ali.sysevent: Alibaba's {instanceId} placeholder in an ARN is no resource id") {
  const Event e = only(decode_json(
      R"({"product":"cfw","level":"WARN","instanceName":"fw-1","regionId":"cn-shanghai","name":"cfw:Ips:Blocked",)"
      R"("resourceId":"acs:cfw:cn-hangzhou:1270449913360928:instance/{instanceId}"})"));
  CHECK(label(e, "resource_id") == "<absent>");
  CHECK(label(e, "region") == "cn-shanghai");  // regionId wins over the ARN's region.
  CHECK(e.alert_key == "ali.sysevent/cfw:Ips:Blocked/fw-1");
  CHECK(e.title == "cfw:Ips:Blocked on fw-1 (cn-shanghai)");
}

// Issue 22, item 4: the ECS documentation's stalled-disk notifications carry no
// content.eventStatus; the end is in the name's last part or in executeFinishTime.
TEST_CASE("ali.sysevent: a disk system event's end closes its alert (name's last part, executeFinishTime)") {
  const Event start = only(decode_json(test::source_file("samples/alibaba/sysevent-disk-stalled-executing.json")));
  CHECK(start.status == Status::Critical);
  CHECK(start.alert_key == "ali.sysevent/om/e-bp1f3h7k2m9q4x6z8c1v");
  CHECK(label(start, "om_status") == "Executing");
  // Named Disk:Stalled:Executed.
  const Event executed = only(decode_json(test::source_file("samples/alibaba/sysevent-disk-stalled-executed.json")));
  CHECK(executed.status == Status::Ok);
  CHECK(executed.alert_severity == Status::Critical);
  CHECK(executed.alert_key == start.alert_key);
  CHECK(executed.title.rfind("Ended: Disk:Stalled:Executed", 0) == 0);
  // The documentation's own end notification: still named ...:Executing, with executeFinishTime.
  const Event finished = only(decode_json(test::source_file("samples/alibaba/sysevent-disk-stalled-finished.json")));
  CHECK(finished.status == Status::Ok);
  CHECK(finished.alert_key == start.alert_key);
  // An eventStatus, when there is one, still decides over the name.
  const Event scheduled = only(decode_json(
      R"({"eventTime":"20260101T000000Z","name":"Instance:SystemMaintenance.Reboot:Executed","product":"ECS",)"
      R"("level":"WARN","content":{"eventId":"e-1","eventStatus":"Scheduled"}})"));
  CHECK(scheduled.status == Status::Warning);
}
