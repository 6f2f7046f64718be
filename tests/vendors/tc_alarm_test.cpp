// tc.alarm: Tencent Cloud Monitor alarm callbacks, metric and event alarms, from the
// documentation's sample bodies (samples/tencent/).
#include <doctest/doctest.h>

#include "support.h"

using namespace cmrelay;
using test::decode_json;
using test::label;
using test::only;
using test::source_file;

TEST_CASE("tc.alarm: a metric alarm: Warning, title, key on policy, metric, region and dimensions, labels") {
  auto d = decode_json(source_file("samples/tencent/metric-alarm.json"));
  CHECK(d.format == "tc.alarm");
  CHECK(d.evidence == "alarmStatus, alarmType=metric, alarmObjInfo, alarmPolicyInfo");
  const Event& e = only(d);
  CHECK(e.status == Status::Warning);  // Flashduty's integration: every Tencent alarm.
  CHECK(d.warnings.empty());
  CHECK(e.title == "CPU utilization > 90% on 10.12.4.21#1187403 (gz): 97.5%");
  CHECK(e.alert_key ==
        "tc.alarm/policy-q3w8e1r5/cpu_usage/gz/objId=3f6c1e2a-8b47-4d0e-9a15-c2d7e8f90b13,unInstanceId=ins-7k2m9x4q");
  // firstOccurTime (no zone: China Standard Time) plus durationTime.
  CHECK(e.event_time == 1778461920 + 300);
  test::check_labels(e, {{"source", "tencent"},
                         {"format", "tc.alarm"},
                         {"account_id", "100023456789"},
                         {"region", "gz"},
                         {"namespace", "qce/cvm"},
                         {"resource_id", "ins-7k2m9x4q"},
                         {"resource_name", "10.12.4.21#1187403"},
                         {"resource", "10.12.4.21#1187403"},
                         {"check", "cpu_usage"},
                         {"policy_name", "web-cpu"},
                         {"policy_id", "policy-q3w8e1r5"},
                         {"threshold", "> 90%"},
                         {"current_value", "97.5"},
                         {"dim_un_instance_id", "ins-7k2m9x4q"},
                         {"dim_obj_name", "10.12.4.21#1187403"},
                         {"vendor_severity", "<absent>"}});
}

TEST_CASE("tc.alarm: the recovery (alarmStatus \"0\", strings) meets its alarm and keeps its severity") {
  const std::string key = only(decode_json(source_file("samples/tencent/metric-alarm.json"))).alert_key;
  auto d = decode_json(source_file("samples/tencent/metric-recovered.json"));
  const Event& e = only(d);
  CHECK(e.status == Status::Ok);
  CHECK(e.alert_severity == Status::Warning);
  CHECK(e.alert_key == key);
  CHECK(e.title.rfind("Recovered: CPU utilization > 90%", 0) == 0);
  CHECK(e.event_time == 1778463180);  // recoverTime, 09:33:00 UTC+08:00
  CHECK(e.description.find("Recovered: 2026-05-11 09:33:00 UTC+08:00") != std::string::npos);
}

TEST_CASE("tc.alarm: an event alarm and its recovery; objDetail as labels, not in the key") {
  auto fired = decode_json(source_file("samples/tencent/event-alarm.json"));
  const Event& e = only(fired);
  CHECK(fired.evidence == "alarmStatus, alarmType=event, alarmObjInfo, alarmPolicyInfo");
  CHECK(e.status == Status::Warning);
  CHECK(e.title == "ping unreachable on ins-p4t8v2k6 (sh)");
  CHECK(e.alert_key == "tc.alarm/policy-z6y2u9i4/ping_unreachable/sh/unInstanceId=ins-p4t8v2k6");
  test::check_labels(e, {{"event_type", "ping_unreachable"}, {"obj_device_lan_ip", "10.30.0.17"}, {"product", "CVM"}});
  auto ok = decode_json(source_file("samples/tencent/event-recovered.json"));
  CHECK(only(ok).status == Status::Ok);
  CHECK(only(ok).alert_key == e.alert_key);
}

TEST_CASE("tc.alarm: another product's dimensions: objId is the resource, the display name is not keyed") {
  const Event e = only(decode_json(source_file("samples/tencent/clb-listener-alarm.json")));
  CHECK(e.labels.find("resource_id") != nullptr);
  CHECK(label(e, "resource_id") == "198.51.100.161#443#https");
  CHECK(e.title == "5xx responses >= 50 on checkout-h5 | VPC | 198.51.100.161(https:443) (bj): 183");
  CHECK(e.alert_key.find("objName") == std::string::npos);
  CHECK(label(e, "dim_vport") == "443");
}

TEST_CASE("tc.alarm: severity by alarm type, overridable; a missing alarmType is told by the condition") {
  SeverityTable table;
  table.set(Vendor::Tencent, "event", Status::Critical);
  auto d = test::decode(source_file("samples/tencent/event-alarm.json"), BodyKind::Json, table);
  CHECK(only(d).status == Status::Critical);
  auto old = decode_json(
      R"({"alarmStatus":"1","alarmPolicyInfo":{"policyId":"p","conditions":{"eventName":"guest_reboot"}}})");
  CHECK(only(old).status == Status::Warning);
  CHECK(label(only(old), "alarm_type") == "event");
  CHECK(old.warnings.empty());
}

TEST_CASE("tc.alarm: malformed bodies are rejected naming the field; detection needs its keys") {
  CHECK(decode_json(R"({"alarmStatus":"2","alarmObjInfo":{}})").error ==
        "field alarmStatus: expected 1 (alarm) or 0 (resolved), got '2'");
  CHECK(decode_json(R"({"alarmStatus":"1","alarmObjInfo":[]})").error.find("alarmObjInfo") != std::string::npos);
  CHECK(decode_json(R"({"alarmStatus":"1","alarmObjInfo":{"dimensions":"x"}})").error.find("dimensions") !=
        std::string::npos);
  CHECK(decode_json(R"({"alarmStatus":"1","sessionId":"s"})").error.find("unknown shape") == 0);
  // Every field but the status may be absent.
  const Event bare = only(decode_json(R"({"alarmStatus":0,"alarmPolicyInfo":{}})"));
  CHECK(bare.status == Status::Ok);
  CHECK(bare.title == "Recovered: Tencent Cloud Monitor alarm");
  CHECK(bare.event_time == 0);
}
