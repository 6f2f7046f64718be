// hw.ces: Huawei Cloud Eye alarms through SMN: the envelope unwrapped, both CES message
// shapes, recoveries, and SMN's subscription handshake told for what it is.
#include <doctest/doctest.h>

#include "support.h"
#include "vendors/huawei.h"

using namespace cmrelay;
using test::decode_json;
using test::label;
using test::only;
using test::source_file;

TEST_CASE("hw.ces: a template notification (message.data): Critical from 紧急, key, title, labels") {
  auto d = decode_json(source_file("samples/huawei/ces-alarm.json"));
  CHECK(d.format == "hw.ces");
  CHECK(d.evidence == "type=Notification, topic_urn, message_id, message, signature");
  const Event& e = only(d);
  CHECK(e.status == Status::Critical);
  CHECK(e.alert_key == "hw.ces/alarm-redis-ops/6e2b41c7-93d0-4f5a-b8e1-0c7d9a3f5e21/每秒并发操作数");
  CHECK(e.title == "每秒并发操作数 > 5 count on dcs-orders (cn-east-3): 6.00 count");
  CHECK(e.event_time == 1779288975);  // AlarmTime 2026/05/20 22:56:15 GMT+08:00
  test::check_labels(e, {{"source", "huawei"},
                         {"format", "hw.ces"},
                         {"account_id", "ops-team-7"},
                         {"region", "cn-east-3"},
                         {"region_name", "华东-上海一"},
                         {"resource_id", "6e2b41c7-93d0-4f5a-b8e1-0c7d9a3f5e21"},
                         {"resource_name", "dcs-orders"},
                         {"check", "每秒并发操作数"},
                         {"vendor_severity", "紧急"},
                         {"threshold", "> 5 count"},
                         {"alarm_record_id", "ah1779288975242kqzvmwpRT"},
                         {"smn_message_id", "7a1c3e5b9d2f4a6c8e0b1d3f5a7c9e2b"},
                         {"ces_count", "2"},
                         {"ces_account_name", "<absent>"}});  // Read above, not repeated.
  CHECK(e.description.find("Subject: [华为云][紧急告警]") == 0);
}

TEST_CASE("hw.ces: IsAlarm false recovers, meets the alarm and keeps its level") {
  const std::string key = only(decode_json(source_file("samples/huawei/ces-alarm.json"))).alert_key;
  const Event e = only(decode_json(source_file("samples/huawei/ces-recovered.json")));
  CHECK(e.status == Status::Ok);
  CHECK(e.alert_severity == Status::Critical);
  CHECK(e.alert_key == key);
  CHECK(e.title.rfind("Recovered: ", 0) == 0);
}

TEST_CASE("hw.ces: the default notification (template_variable, alarm_status) and its recovery") {
  auto fired = decode_json(source_file("samples/huawei/ces-default-alarm.json"));
  const Event& e = only(fired);
  CHECK(e.status == Status::Critical);  // Major, as Flashduty's integration maps it.
  CHECK(label(e, "rule_id") == "al17793226100183dJ5qzWmXk");
  CHECK(e.alert_key == "hw.ces/al17793226100183dJ5qzWmXk/c2f4a6e8-1b3d-4f5a-9c7e-0b2d4f6a8c1e/CPU Usage");
  const Event ok = only(decode_json(source_file("samples/huawei/ces-default-ok.json")));
  CHECK(ok.status == Status::Ok);
  CHECK(ok.alert_key == e.alert_key);
  // alarm_status alone decides when IsAlarm is absent.
  auto by_status =
      decode_json(R"({"type":"Notification","topic_urn":"u","message_id":"m","message":"{\"alarm_status\":\"alarm\",)"
                  R"(\"alarm_id\":\"al1\",\"template_variable\":{\"AlarmLevel\":\"Minor\",\"ResourceId\":\"r\"}}"})");
  CHECK(only(by_status).status == Status::Warning);
}

TEST_CASE("hw.ces: Flashduty's level table, in English, Chinese and the API's numbers") {
  const SeverityTable t;
  for (const char* l : {"Critical", "Major", "紧急", "重要", "1", "2"})
    CHECK(t.find(Vendor::Huawei, l) == Status::Critical);
  for (const char* l : {"Minor", "次要", "3"}) CHECK(t.find(Vendor::Huawei, l) == Status::Warning);
  for (const char* l : {"Informational", "提示", "4"}) CHECK(t.find(Vendor::Huawei, l) == Status::Info);
}

TEST_CASE("hw.ces: a SubscriptionConfirmation is rejected as what it is, its token masked") {
  auto d = decode_json(source_file("tests/vendors/bodies/huawei-smn-subscription-confirmation.json"));
  CHECK(d.format == "hw.ces");  // Detected as what it is, then rejected.
  CHECK(d.error.rfind("Huawei SMN SubscriptionConfirmation for topic "
                      "urn:smn:cn-east-3:5d1f0a9c8b7e4d3c2b1a0f9e8d7c6b5a:CES_notification_group_ops: not an alarm; "
                      "to subscribe, GET its subscribe_url "
                      "https://console.huaweicloud.com/smn/subscription/confirm?token=***&topic_urn=",
                      0) == 0);
  CHECK(d.error.find("5d1f0a9c8b7e4d3c2b1a0f9e8d7c6b5ae4c2") == std::string::npos);  // The token.
  auto u = decode_json(source_file("tests/vendors/bodies/huawei-smn-unsubscribe-confirmation.json"));
  CHECK(u.error.find("Huawei SMN UnsubscribeConfirmation") == 0);
  CHECK(u.error.find("is not confirmed") != std::string::npos);
  CHECK(u.error.find("a0c2e4f6b8d0") == std::string::npos);
}

TEST_CASE("hw.ces: smn_handshake names what serve must act on, and nothing else") {
  json::Parser p;
  std::string err;
  const std::string sub = source_file("tests/vendors/bodies/huawei-smn-subscription-confirmation.json");
  huawei::SmnHandshake h = huawei::smn_handshake(*p.parse(sub, err));
  CHECK(h.type == "SubscriptionConfirmation");
  CHECK(h.subscribe_url.rfind("https://console.huaweicloud.com/smn/subscription/confirm?token=", 0) == 0);
  CHECK(h.topic_urn == "urn:smn:cn-east-3:5d1f0a9c8b7e4d3c2b1a0f9e8d7c6b5a:CES_notification_group_ops");
  const std::string note = source_file("samples/huawei/ces-alarm.json");
  CHECK(huawei::smn_handshake(*p.parse(note, err)).type.empty());
  CHECK(huawei::smn_handshake(*p.parse(R"({"type":"SubscriptionConfirmation"})", err)).type.empty());
}

TEST_CASE("hw.ces: a message that is no CES alarm, or not JSON, is one rejection naming it") {
  CHECK(decode_json(R"({"type":"Notification","topic_urn":"u","message_id":"m","message":"hello"})")
            .error.find("whose message is not a Cloud Eye alarm") != std::string::npos);
  CHECK(decode_json(R"({"type":"Notification","topic_urn":"u","message_id":"m","message":"{\"eventType\":1}"})")
            .error.find("not a Cloud Eye alarm") != std::string::npos);
  CHECK(decode_json(R"({"type":"Notification","topic_urn":"u","message_id":"m","message":"{\"data\":"})")
            .error.find("message") != std::string::npos);
  CHECK(decode_json(R"({"topic_urn":"u","message_id":"m"})").error.find("unknown shape") == 0);
}
