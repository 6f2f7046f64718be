#include <doctest/doctest.h>

#include "support.h"

using namespace cmrelay;
using test::decode_form;
using test::decode_json;
using test::form_escape;
using test::label;
using test::only;

namespace {

const char* kUserInfo = R"({"aliyunId":"ops@example.com","userId":"1270449913360928"})";
const char* kSubscription =
    R"({"subscriptionUuid":"sub-1","conditions":[{"field":"source","op":"EQ","value":"SYS_EVENT"}],"relation":"AND"})";

// A system event's alert object; status and severity vary.
std::string sys_alert(std::string_view status = "TRIGGERED", std::string_view severity = "CRITICAL",
                      std::string_view dedup = "d-91") {
  return R"({"alertStatus":")" + std::string(status) + R"(","source":"SYS_EVENT","severity":")" +
         std::string(severity) + R"(","product":"ECS","dedupId":")" + std::string(dedup) +
         R"(","traceId":"t-17","eventName":"Instance:SystemFailure.Reboot:Executing","eventType":"Exception",)"
         R"("arn":"acs:ecs:cn-hangzhou:1270449913360928:instance/i-bp1xyz","timestamp":1749579303417,)"
         R"("eventContentMap":{"instanceId":"i-bp1xyz","reason":"SystemFailure"},)"
         R"("meta":{"sysEventMeta":{"regionId":"cn-hangzhou","instanceName":"db-7","level":")" +
         std::string(severity) +
         R"(","eventTime":"20250611T021503.417+0800","name":"Instance:SystemFailure.Reboot:Executing",)"
         R"("status":"Executing","id":"t-17","resourceId":"acs:ecs:cn-hangzhou:1270449913360928:instance/i-bp1xyz"}}})";
}

std::string envelope(const std::string& alert, std::string_view severity = "CRITICAL") {
  return R"({"userInfo":)" + std::string(kUserInfo) + R"(,"subscription":)" + kSubscription +
         R"(,"batchId":"b-1","strategyName":"ecs-events","severity":")" + std::string(severity) +
         R"(","userId":"1270449913360928","time":1749579305120,"alert":)" + alert + "}";
}

// The same envelope in FORM mode: the objects as JSON strings, the numbers as text.
std::string form_envelope(const std::string& alert, std::string_view severity = "CRITICAL") {
  return "userInfo=" + form_escape(kUserInfo) + "&subscription=" + form_escape(kSubscription) +
         "&batchId=b-1&strategyName=ecs-events&severity=" + std::string(severity) +
         "&userId=1270449913360928&time=1749579305120&relatedAlertIds=" + form_escape(R"(["d-90"])") +
         "&alert=" + form_escape(alert);
}

// A threshold alert through the subscription channel.
std::string metric_alert(std::string_view status, std::string_view instance, std::string_view rule = "rule-9",
                         std::string_view value = "93.4") {
  return R"({"alertStatus":")" + std::string(status) +
         R"(","source":"ALERT","severity":"WARNING",)"
         R"("dedupId":"x-)" +
         std::string(status) + R"(","ruleId":")" + std::string(rule) +
         R"(","alertName":"cpu-over-85","expression":"$Average>=85","namespace":"acs_ecs_dashboard",)"
         R"("metrics":[{"metricName":"CPUUtilization","curValue":")" +
         std::string(value) +
         R"(","threshold":"85","operator":">=","unit":"%"}],"timestamp":1749870060000,)"
         R"("resourceInfo":{"instanceId":")" +
         std::string(instance) +
         R"(","instanceName":"web-5","regionId":"cn-shenzhen"},"customLabels":{"team":"edge","source":"clash"}})";
}

}  // namespace

TEST_CASE("ali.event: a system event in JSON mode") {
  auto d = decode_json(envelope(sys_alert()));
  CHECK(d.format == "ali.event");
  CHECK(d.evidence == "alert, batchId, subscription, strategyName");
  const Event& e = only(d);
  CHECK(e.status == Status::Critical);
  CHECK(e.alert_key == "ali.event/d-91");
  CHECK(e.title == "Instance:SystemFailure.Reboot:Executing on db-7 (cn-hangzhou): Executing");
  CHECK(e.event_time == 1749579303);
  test::check_labels(e, {{"source", "alibaba"},
                         {"format", "ali.event"},
                         {"account_id", "1270449913360928"},
                         {"region", "cn-hangzhou"},
                         {"resource_id", "i-bp1xyz"},
                         {"resource_name", "db-7"},
                         {"rule_name", "ecs-events"},
                         {"namespace", "ECS"},
                         {"event_type", "Instance:SystemFailure.Reboot:Executing"},
                         {"vendor_severity", "CRITICAL"},
                         {"alert_status", "TRIGGERED"},
                         {"subscription_id", "sub-1"},
                         {"content_reason", "SystemFailure"}});
  CHECK(e.description.find("Happened at: 2025-06-11 02:15:03 UTC+08:00") != std::string::npos);
}

TEST_CASE("ali.event: every severity spelling, in any case; the alert's level wins over the envelope's") {
  struct Case {
    const char* level;
    Status status;
  };
  for (Case c : {Case{"CRITICAL", Status::Critical}, Case{"Critical", Status::Critical},
                 Case{"WARNING", Status::Warning}, Case{"WARN", Status::Warning}, Case{"warn", Status::Warning},
                 Case{"INFO", Status::Info}, Case{"info", Status::Info}}) {
    CAPTURE(c.level);
    auto d = decode_json(envelope(sys_alert("TRIGGERED", c.level), "INFO"));
    CHECK(only(d).status == c.status);
    CHECK(d.warnings.empty());
  }
  // No level in the alert: the envelope's severity, else the system event's level.
  std::string alert = R"({"alertStatus":"TRIGGERED","dedupId":"d-1"})";
  CHECK(only(decode_json(envelope(alert, "WARN"))).status == Status::Warning);
  CHECK(only(decode_json(R"({"batchId":"b","alert":{"meta":{"sysEventMeta":{"level":"CRITICAL"}}}})")).status ==
        Status::Critical);
}

TEST_CASE("ali.event: RESOLVED is Ok and closes the TRIGGERED alert") {
  const Event fired = only(decode_json(envelope(sys_alert("TRIGGERED"))));
  const Event resolved = only(decode_json(envelope(sys_alert("RESOLVED"))));
  CHECK(resolved.status == Status::Ok);
  CHECK(resolved.alert_key == fired.alert_key);
  CHECK(resolved.title.rfind("Recovered: Instance:SystemFailure", 0) == 0);
  CHECK(only(decode_json(envelope(sys_alert("resolved")))).status == Status::Ok);
  // Another alert never shares the key.
  CHECK(only(decode_json(envelope(sys_alert("TRIGGERED", "CRITICAL", "d-92")))).alert_key != fired.alert_key);
}

TEST_CASE("ali.event: FORM mode decodes to the same event as JSON mode") {
  const Event json_event = only(decode_json(envelope(sys_alert())));
  auto d = decode_form(form_envelope(sys_alert()));
  CHECK(d.format == "ali.event");
  CHECK(d.evidence == "alert (JSON text), batchId, subscription, strategyName");
  const Event& e = only(d);
  CHECK(e.status == json_event.status);
  CHECK(e.alert_key == json_event.alert_key);
  CHECK(e.title == json_event.title);
  CHECK(e.event_time == json_event.event_time);
  CHECK(label(e, "subscription_id") == "sub-1");
  CHECK(label(e, "aliyun_id") == "ops@example.com");
  CHECK(label(e, "related_alert_ids") == R"(["d-90"])");
  for (const Label& l : json_event.labels) {
    CAPTURE(l.key);
    CHECK(label(e, l.key) == l.value);
  }
}

TEST_CASE("ali.event: GET style, the JSON in one data parameter") {
  auto d = decode_form("data=" + form_escape(envelope(sys_alert())));
  CHECK(d.format == "ali.event");
  CHECK(only(d).alert_key == "ali.event/d-91");
}

TEST_CASE("ali.event: a threshold alert is keyed by rule and resource") {
  auto fired = decode_json(envelope(metric_alert("TRIGGERED", "i-wz9a")));
  const Event& e = only(fired);
  CHECK(e.status == Status::Warning);
  CHECK(e.alert_key == "ali.event/rule/rule-9/i-wz9a/CPUUtilization");
  CHECK(e.title == "cpu-over-85 on web-5: CPUUtilization 93.4% (threshold >= 85%)");
  // A custom label that clashes with a contract label (source) gets a prefix.
  test::check_labels(e, {{"rule_id", "rule-9"},
                         {"rule_name", "cpu-over-85"},
                         {"metric", "CPUUtilization"},
                         {"current_value", "93.4"},
                         {"threshold", "85"},
                         {"expression", "$Average>=85"},
                         {"namespace", "acs_ecs_dashboard"},
                         {"region", "cn-shenzhen"},
                         {"resource_id", "i-wz9a"},
                         {"team", "edge"},
                         {"source", "alibaba"},
                         {"custom_source", "clash"}});
  // The dedupId differs between the two bodies; the rule and resource do not.
  const Event resolved = only(decode_json(envelope(metric_alert("RESOLVED", "i-wz9a", "rule-9", "40"))));
  CHECK(resolved.status == Status::Ok);
  CHECK(resolved.alert_key == e.alert_key);
  CHECK(only(decode_json(envelope(metric_alert("TRIGGERED", "i-wz9b")))).alert_key != e.alert_key);
  CHECK(only(decode_json(envelope(metric_alert("TRIGGERED", "i-wz9a", "rule-8")))).alert_key != e.alert_key);
}

TEST_CASE("ali.event: time from alert.timestamp, else sysEventMeta.eventTime, else time") {
  CHECK(only(decode_json(envelope(R"({"alertStatus":"TRIGGERED","severity":"INFO","timestamp":"1749579303417"})")))
            .event_time == 1749579303);
  CHECK(
      only(
          decode_json(envelope(
              R"({"alertStatus":"TRIGGERED","severity":"INFO","meta":{"sysEventMeta":{"eventTime":"20250614T041122.300+0800"}}})")))
          .event_time == 1749845482);
  CHECK(only(decode_json(envelope(R"({"alertStatus":"TRIGGERED","severity":"INFO"})"))).event_time == 1749579305);
}

TEST_CASE("ali.event: region and resource from the ARN; content from eventRawContent") {
  auto d = decode_json(envelope(
      R"({"alertStatus":"TRIGGERED","source":"SYS_EVENT","severity":"WARN","eventName":"Disk:Stalled:Executing",)"
      R"("arn":"acs:ecs:cn-beijing:1270449913360928:instance/i-2ze1","traceId":"t-5",)"
      R"("eventRawContent":"{\"diskId\":\"d-2ze9\",\"device\":\"/dev/vdb\"}"})"));
  const Event& e = only(d);
  CHECK(e.alert_key == "ali.event/t-5");  // No dedupId: the traceId.
  test::check_labels(e, {{"region", "cn-beijing"}, {"resource_id", "i-2ze1"}, {"content_disk_id", "d-2ze9"}});
  CHECK(e.title == "Disk:Stalled:Executing on i-2ze1 (cn-beijing)");
}

TEST_CASE("ali.event: a bare alert decodes; broken JSON text in alert is refused naming the field") {
  const Event e = only(decode_json(R"({"batchId":"b","alert":{}})"));
  CHECK(e.status == Status::Info);
  CHECK(e.alert_key == "ali.event/event///");
  auto broken = decode_form("batchId=b-1&alert=" + form_escape(R"({"alertStatus":"TRIGGERED",)"));
  CHECK(broken.format == "ali.event");
  CHECK(broken.error.find("field alert: JSON inside the string: invalid JSON at byte") != std::string::npos);
  auto not_object = decode_form("batchId=b-1&alert=42");
  CHECK(not_object.error == "field alert: expected an object, got a string");
  // eventRawContent that is text, not JSON, is kept as text.
  const Event text = only(decode_json(R"({"batchId":"b","alert":{"eventRawContent":"disk replaced"}})"));
  CHECK(label(text, "content") == "disk replaced");
}

namespace {

// A threshold alert without any resource: only the dedup id tells one alert from another.
std::string bare_rule_alert(std::string_view status, std::string_view dedup, std::string_view host,
                            std::string_view trace = "") {
  std::string alert = R"({"alertStatus":")" + std::string(status) +
                      R"(","source":"ALERT","severity":"WARNING",)"
                      R"("ruleId":"r-1","metrics":[{"metricName":"cpu","curValue":"97"}],)"
                      R"("customLabels":{"host":")" +
                      std::string(host) + R"("})";
  if (!dedup.empty()) alert += R"(,"dedupId":")" + std::string(dedup) + R"(")";
  if (!trace.empty()) alert += R"(,"traceId":")" + std::string(trace) + R"(")";
  return alert + "}";
}

}  // namespace

TEST_CASE("ali.event: threshold alerts of one rule without a resource are keyed by what they watch") {
  const Event a = only(decode_json(envelope(bare_rule_alert("TRIGGERED", "d-1", "web-1"))));
  const Event b = only(decode_json(envelope(bare_rule_alert("TRIGGERED", "d-2", "web-2"))));
  CHECK(a.alert_key == "ali.event/rule/r-1/host=web-1/cpu");
  CHECK(b.alert_key != a.alert_key);
  CHECK(label(a, "host") == "web-1");
  // The resolve carries a new dedup id (as the project's own samples show): it still meets.
  const Event a_ok = only(decode_json(envelope(bare_rule_alert("RESOLVED", "d-9", "web-1"))));
  CHECK(a_ok.status == Status::Ok);
  CHECK(a_ok.alert_key == a.alert_key);
  // Nothing but the rule: the rule is all there is, whatever the dedup or trace id.
  CHECK(only(decode_json(envelope(bare_rule_alert("TRIGGERED", "", "web-1", "t-3")))).alert_key == a.alert_key);
  const std::string no_labels = R"({"alertStatus":"TRIGGERED","source":"ALERT","ruleId":"r-1","dedupId":"d-4"})";
  CHECK(only(decode_json(envelope(no_labels))).alert_key == "ali.event/rule/r-1//");
}

TEST_CASE("ali.event: malformed auxiliary fields are kept as text with a warning, not refused") {
  struct Case {
    const char* name;
    std::string body;
    const char* label;
    const char* text;
  };
  const std::string alert = R"({"alertStatus":"TRIGGERED","severity":"CRITICAL","dedupId":"d-7")";
  for (const Case& c : {
           Case{"relatedAlertIds", "batchId=b-1&relatedAlertIds=%5B%22d-1%22%2C&alert=" + form_escape(alert + "}"),
                "related_alert_ids", R"(["d-1",)"},
           Case{"subscription", "batchId=b-1&subscription=%5B1%2C&alert=" + form_escape(alert + "}"), "subscription",
                "[1,"},
           Case{"userInfo", "batchId=b-1&userInfo=%7B%22userId%22&alert=" + form_escape(alert + "}"), "user_info",
                R"({"userId")"},
           Case{"userInfo, not an object", "batchId=b-1&userInfo=ops&alert=" + form_escape(alert + "}"), "user_info",
                "ops"},
           Case{"eventRawContent", R"({"batchId":"b","alert":)" + alert + R"(,"eventRawContent":"{\"diskId\":"}})",
                "content", R"({"diskId":)"},
           Case{"customLabels", R"({"batchId":"b","alert":)" + alert + R"(,"customLabels":"{team"}})", "custom_labels",
                "{team"},
           Case{"resourceInfo", R"({"batchId":"b","alert":)" + alert + R"(,"resourceInfo":["i-1"]}})", "resource_info",
                R"(["i-1"])"},
           Case{"metrics as an object",
                R"({"batchId":"b","alert":)" + alert + R"(,"metrics":{"metricName":"cpu","curValue":"97"}}})",
                "metrics", R"({"metricName":"cpu","curValue":"97"})"},
           Case{"meta.sysEventMeta", R"({"batchId":"b","alert":)" + alert + R"(,"meta":{"sysEventMeta":"n/a"}}})",
                "sys_event_meta", "n/a"},
       }) {
    const std::string name = c.name;
    CAPTURE(name);
    auto d = c.body[0] == '{' ? decode_json(c.body) : decode_form(c.body);
    const Event& e = only(d);
    CHECK(e.status == Status::Critical);
    CHECK(e.alert_key == "ali.event/d-7");
    CHECK(label(e, c.label) == c.text);
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0].find(std::string("kept as text in label ") + c.label) != std::string::npos);
  }
  // Broken eventRawContent is shown in the description too, as text content is.
  auto d = decode_json(R"({"batchId":"b","alert":{"eventRawContent":"[1,"}})");
  CHECK(only(d).description.find("Content: [1,") != std::string::npos);
}

TEST_CASE("ali.event: custom label values that are objects or arrays are compact JSON") {
  const Event e = only(decode_json(
      envelope(R"({"alertStatus":"TRIGGERED","dedupId":"d-8","customLabels":{"owner":{"team":"edge","tier":1},)"
               R"("zones":["a","b"],"empty":{},"count":3,"gone":null,"none":"null"}})")));
  test::check_labels(e, {{"owner", R"({"team":"edge","tier":1})"},
                         {"zones", R"(["a","b"])"},
                         {"count", "3"},
                         {"empty", "<absent>"},
                         {"gone", "<absent>"},
                         {"none", "<absent>"}});
}

TEST_CASE("ali.event: a huge eventContentMap or customLabels keeps labels up to Flashduty's 50") {
  // Linear work per member: the quadratic labelling this guards against took seconds here.
  constexpr int kKeys = 150000;
  std::string members = R"("instanceId":"i-big")";
  for (int i = 0; i < kKeys; ++i) members += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  for (const char* field : {"eventContentMap", "customLabels"}) {
    CAPTURE(field);
    auto d =
        decode_json(envelope(R"({"alertStatus":"TRIGGERED","source":"ALERT","ruleId":"r-big","dedupId":"d-big",")" +
                             std::string(field) + R"(":{)" + members + "}}"));
    const Event& e = only(d);
    CHECK(e.labels.size() == 50);
    const std::string prefix = field == std::string_view("customLabels") ? "" : "content_";
    CHECK(label(e, "rule_id") == "r-big");
    CHECK(label(e, prefix + "k0") == "0");
    CHECK(label(e, prefix + "k" + std::to_string(kKeys - 1)) == "<absent>");
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0].find("more labels than Flashduty's 50") != std::string::npos);
  }
  // eventContentMap names the resource, and so the key.
  auto d = decode_json(
      envelope(R"({"alertStatus":"TRIGGERED","source":"ALERT","ruleId":"r-big","eventContentMap":{)" + members + "}}"));
  CHECK(only(d).alert_key == "ali.event/rule/r-big/i-big/");
}

TEST_CASE("ali.event: eventNameZh alone names the event; an ISO eventTime is read; FORM mode without batchId") {
  const std::string alert =
      R"({"alertStatus":"TRIGGERED","source":"SYS_EVENT","severity":"WARNING","product":"ECS",)"
      R"("arn":"acs:ecs:cn-beijing:1270449913360928:instance/i-z1","meta":{"sysEventMeta":{"eventNameZh":"实例重启",)"
      R"("eventTime":"2025-06-16T03:10:02.045+08:00","status":"Executing"}}})";
  auto d = decode_form("subscription=" + form_escape(kSubscription) + "&strategyName=ecs&alert=" + form_escape(alert));
  CHECK(d.format == "ali.event");
  const Event& e = only(d);
  CHECK(e.title == "实例重启 on i-z1 (cn-beijing): Executing");
  CHECK(label(e, "event_type") == "实例重启");
  CHECK(e.description.find("Happened at: 2025-06-16 03:10:02 UTC+08:00") != std::string::npos);
}

TEST_CASE("ali.event: an ECS O&M system event is keyed on its eventId; a terminal eventStatus resolves it") {
  auto om = [](std::string_view status) {
    return envelope(R"({"alertStatus":"TRIGGERED","source":"SYS_EVENT","severity":"WARNING","dedupId":"d-)" +
                    std::string(status) + R"(","eventName":"Instance:SystemMaintenance.Reboot:)" + std::string(status) +
                    R"(","eventContentMap":{"eventId":"e-5","eventStatus":")" + std::string(status) + R"("}})");
  };
  const Event scheduled = only(decode_json(om("Scheduled")));
  const Event executed = only(decode_json(om("Executed")));
  CHECK(scheduled.status == Status::Warning);
  CHECK(executed.status == Status::Ok);
  CHECK(scheduled.alert_key == "ali.event/om/e-5");
  CHECK(executed.alert_key == scheduled.alert_key);
}

TEST_CASE("ali.event: a pushed disk system event ends by its name or executeFinishTime, without eventStatus") {
  auto disk = [](std::string_view name, std::string_view finish) {
    return envelope(R"({"alertStatus":"TRIGGERED","source":"SYS_EVENT","severity":"CRITICAL","eventName":")" +
                    std::string(name) + R"(","eventContentMap":{"eventId":"e-9","eventType":"Stalled")" +
                    std::string(finish) + "}}");
  };
  const Event start = only(decode_json(disk("Disk:Stalled:Executing", "")));
  CHECK(start.status == Status::Critical);
  const Event by_name = only(decode_json(disk("Disk:Stalled:Executed", "")));
  const Event by_finish =
      only(decode_json(disk("Disk:Stalled:Executing", R"(,"executeFinishTime":"2026-05-19T00:03:01Z")")));
  CHECK(by_name.status == Status::Ok);
  CHECK(by_finish.status == Status::Ok);
  CHECK(by_name.alert_key == start.alert_key);
  CHECK(by_finish.alert_key == start.alert_key);
}

TEST_CASE("ali.event: the description's lines, alert after alert") {
  // Lines are put together in one reused string: nothing of one alert's shows in the next.
  const std::string system = envelope(sys_alert());
  const std::string threshold = envelope(metric_alert("TRIGGERED", "i-wz9"));
  std::string bare = R"({"batchId":"b-2","strategyName":"s-2","subscription":{"subscriptionUuid":"null"},)"
                     R"("alert":{"alertStatus":"TRIGGERED","severity":"INFO","eventName":"Instance:X"}})";
  const std::string system_description =
      "Alert: TRIGGERED, severity CRITICAL\n"
      "Event: Instance:SystemFailure.Reboot:Executing (id t-17)\n"
      "Type: Exception, status Executing, level CRITICAL\n"
      "Resource: db-7 (i-bp1xyz) in cn-hangzhou\n"
      "Product: ECS\n"
      "ARN: acs:ecs:cn-hangzhou:1270449913360928:instance/i-bp1xyz\n"
      "Happened at: 2025-06-11 02:15:03 UTC+08:00\n"
      "Content: {\"instanceId\":\"i-bp1xyz\",\"reason\":\"SystemFailure\"}\n"
      "Subscription: ecs-events (sub-1)\n"
      "Alert time: 2025-06-11 02:15:03 UTC+08:00\n"
      "Pushed at: 2025-06-11 02:15:05 UTC+08:00\n"
      "Dedup id: d-91";
  for (int round = 0; round < 2; ++round) {
    CHECK(only(decode_json(system)).description == system_description);
    const std::string t = only(decode_json(threshold)).description;
    CHECK(t.find("Rule: cpu-over-85 (rule-9)\nCondition: $Average>=85\nResource: web-5 (i-wz9) in cn-shenzhen\n") !=
          std::string::npos);
    CHECK(t.find("Content:") == std::string::npos);
    // "null" is no subscription id; an alert with neither time nor pushed time has no such line.
    CHECK(only(decode_json(bare)).description ==
          "Alert: TRIGGERED, severity INFO\nEvent: Instance:X\nSubscription: s-2");
  }
}
