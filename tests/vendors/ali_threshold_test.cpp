#include <doctest/doctest.h>

#include "support.h"

using namespace cmrelay;
using test::decode_form;
using test::label;
using test::only;

namespace {

// A legacy threshold callback as senders encode it; fields replace or add to the defaults.
std::string body(std::string_view extra = {}, std::string_view state = "ALERT", std::string_view level = "CRITICAL") {
  std::string b = "alertName=cpu-high&alertState=" + std::string(state) +
                  "&curValue=96.5"
                  "&dimensions=%7BuserId%3D1270449913360928%2C+instanceId%3Di-bp1abc%7D"
                  "&expression=%24Average%3E%3D90&instanceName=web-1&metricName=CPUUtilization"
                  "&namespace=acs_ecs_dashboard&preTriggerLevel=null&regionId=cn-hangzhou&regionName=null"
                  "&ruleId=rule-1&timestamp=1749903120417&triggerLevel=" +
                  std::string(level) + "&unit=%25&userId=1270449913360928&lastTime=5%E5%88%86%E9%92%9F";
  if (!extra.empty()) b = std::string(extra) + "&" + b;  // Earlier fields win.
  return b;
}

}  // namespace

TEST_CASE("ali.threshold: an encoded ALERT callback") {
  auto d = decode_form(body());
  CHECK(d.format == "ali.threshold");
  CHECK(d.evidence == "alertState=ALERT, metricName, ruleId, namespace");
  const Event& e = only(d);
  CHECK(e.status == Status::Critical);
  CHECK(e.alert_key == "ali.threshold/rule-1/instanceId=i-bp1abc,userId=1270449913360928");
  CHECK(e.title == "cpu-high on web-1: CPUUtilization 96.5% ($Average>=90)");
  CHECK(e.event_time == 1749903120);
  test::check_labels(e, {{"source", "alibaba"},
                         {"format", "ali.threshold"},
                         {"account_id", "1270449913360928"},
                         {"region", "cn-hangzhou"},
                         {"resource_id", "i-bp1abc"},
                         {"resource_name", "web-1"},
                         {"rule_id", "rule-1"},
                         {"rule_name", "cpu-high"},
                         {"namespace", "acs_ecs_dashboard"},
                         {"metric", "CPUUtilization"},
                         {"current_value", "96.5"},
                         {"threshold", "$Average>=90"},
                         {"event_type", "ALERT"},
                         {"vendor_severity", "CRITICAL"},
                         {"dim_user_id", "1270449913360928"},
                         {"dim_instance_id", "i-bp1abc"},
                         {"last_time", "5分钟"}});
  // The literal string null means absent.
  CHECK(label(e, "pre_trigger_level") == "<absent>");
  CHECK(label(e, "region_name") == "<absent>");
  CHECK(e.description.find("Lasted: 5分钟") != std::string::npos);
  CHECK(e.description.find("At: 2025-06-14 12:12:00 UTC") != std::string::npos);
}

TEST_CASE("ali.threshold: OK closes the ALERT of the same rule and resource") {
  const Event alert = only(decode_form(body()));
  // The recovery lists the dimensions in another order: the key is the same.
  const Event ok =
      only(decode_form(body("dimensions=%7BinstanceId%3Di-bp1abc%2C+userId%3D1270449913360928%7D", "OK", "OK")));
  CHECK(ok.status == Status::Ok);
  CHECK(ok.alert_key == alert.alert_key);
  CHECK(ok.title.rfind("Recovered: cpu-high on web-1", 0) == 0);
  CHECK(label(ok, "event_type") == "OK");
  // No data and its end share the key too: one rule on one resource has one state.
  const Event nodata = only(decode_form(body({}, "INSUFFICIENT_DATA")));
  CHECK(nodata.alert_key == alert.alert_key);
}

TEST_CASE("ali.threshold: other resources and rules get other keys") {
  const std::string base = only(decode_form(body())).alert_key;
  CHECK(only(decode_form(body("dimensions=%7BuserId%3D1270449913360928%2C+instanceId%3Di-bp1xyz%7D"))).alert_key !=
        base);
  CHECK(only(decode_form(body("ruleId=rule-2"))).alert_key != base);
  CHECK(only(decode_form(
                 body("dimensions=%7BuserId%3D1270449913360928%2C+instanceId%3Di-bp1abc%2C+device%3D%2Fdev%2Fvda1%7D")))
            .alert_key != base);
}

TEST_CASE("ali.threshold: every level spelling, in any case") {
  struct Case {
    const char* level;
    Status status;
  };
  for (Case c : {Case{"CRITICAL", Status::Critical}, Case{"critical", Status::Critical}, Case{"WARN", Status::Warning},
                 Case{"Warn", Status::Warning}, Case{"WARNING", Status::Warning}, Case{"warning", Status::Warning},
                 Case{"INFO", Status::Info}, Case{"Info", Status::Info}}) {
    CAPTURE(c.level);
    auto d = decode_form(body({}, "ALERT", c.level));
    CHECK(only(d).status == c.status);
    CHECK(d.warnings.empty());
    CHECK(label(only(d), "vendor_severity") == c.level);
  }
  // The state is compared case-insensitively too.
  CHECK(only(decode_form(body({}, "ok", "OK"))).status == Status::Ok);
}

TEST_CASE("ali.threshold: an unknown level is Info with a warning and the original kept") {
  auto d = decode_form(body({}, "ALERT", "FATAL"));
  CHECK(only(d).status == Status::Info);
  CHECK(label(only(d), "vendor_severity") == "FATAL");
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0].find("FATAL") != std::string::npos);
}

TEST_CASE(
    "ali.threshold: no data is Info (Flashduty's own integration), whatever triggerLevel; a route table overrides") {
  auto crit = decode_form(body({}, "INSUFFICIENT_DATA", "CRITICAL"));
  CHECK(only(crit).status == Status::Info);
  CHECK(only(crit).title.rfind("No data: cpu-high on web-1: CPUUtilization ($Average>=90)", 0) == 0);
  for (const char* level : {"null", "OK", "", "WARN"}) {
    CAPTURE(level);
    auto d = decode_form(body({}, "INSUFFICIENT_DATA", level));
    CHECK(only(d).status == Status::Info);
    CHECK(d.warnings.empty());
  }
  CHECK(only(decode_form(body({}, "NODATA", "CRITICAL"))).status == Status::Info);
  SeverityTable table;
  table.set(Vendor::Alibaba, "nodata", Status::Warning);
  CHECK(only(test::decode(body({}, "INSUFFICIENT_DATA", "CRITICAL"), BodyKind::Form, table)).status == Status::Warning);
}

TEST_CASE("ali.threshold: timestamp in seconds or milliseconds") {
  CHECK(only(decode_form(body("timestamp=1508136760"))).event_time == 1508136760);
  CHECK(only(decode_form(body("timestamp=1685646149981"))).event_time == 1685646149);
  CHECK(only(decode_form(body("timestamp=null"))).event_time == 0);
}

TEST_CASE("ali.threshold: a body pasted unencoded from the documentation") {
  auto d = decode_form(
      "alertName=基础监控-ECS-CPU&alertState=ALERT&curValue=97&dimensions={userId=1270449913360928, instanceId=i-doc1}"
      "&expression=$Average>=95&instanceName=null&metricName=CPU使用率&namespace=acs_ecs_dashboard"
      "&preTriggerLevel=null&ruleId=doc-rule&timestamp=1508136760&triggerLevel=WARN&unit=%&userId=1270449913360928"
      "&regionId=null&lastTime=2分钟");
  CHECK(d.format == "ali.threshold");
  const Event& e = only(d);
  CHECK(e.status == Status::Warning);
  CHECK(e.alert_key == "ali.threshold/doc-rule/instanceId=i-doc1,userId=1270449913360928");
  test::check_labels(e, {{"threshold", "$Average>=95"},
                         {"unit", "%"},
                         {"resource_id", "i-doc1"},
                         {"resource_name", "<absent>"},
                         {"region", "<absent>"}});
  CHECK(e.title == "基础监控-ECS-CPU on i-doc1: CPU使用率 97% ($Average>=95)");
  // No userId field: the account comes from the userId dimension.
  CHECK(label(only(decode_form("alertState=OK&ruleId=r&dimensions={userId=42, instanceId=i-1}")), "account_id") ==
        "42");
}

TEST_CASE("ali.threshold: dimensions that are not a Java map are kept whole, with a warning") {
  auto d = decode_form(body("dimensions=%7BinstanceId%3Di-1"));
  const Event& e = only(d);
  CHECK(e.alert_key == "ali.threshold/rule-1/{instanceId=i-1");
  CHECK(label(e, "dimensions") == "{instanceId=i-1");
  CHECK(label(e, "resource_id") == "<absent>");
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0].find("dimensions") != std::string::npos);
}

TEST_CASE("ali.threshold: optional fields may all be missing") {
  auto d = decode_form("alertState=ALERT&metricName=Qps");
  const Event& e = only(d);
  CHECK(e.status == Status::Warning);  // A firing alarm without a level: Warning, with a warning.
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0] == "ali.threshold firing alarms without triggerLevel are sent as Warning");
  CHECK(e.alert_key == "ali.threshold//");
  CHECK(e.title == "Alibaba Cloud threshold alert: Qps");
  CHECK(e.event_time == 0);
}

TEST_CASE("ali.threshold: ALARM is firing; an unknown alertState fires at triggerLevel with a warning") {
  auto alarm = decode_form(body({}, "ALARM", "CRITICAL"));
  CHECK(only(alarm).status == Status::Critical);
  CHECK(alarm.warnings.empty());
  auto d = decode_form(body({}, "FIRING?", "WARN"));
  CHECK(only(d).status == Status::Warning);
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0].find("FIRING?") != std::string::npos);
}

TEST_CASE("ali.threshold: the 2017 JSON shape: dimensions array, expression as JSON text, Curvalue, string times") {
  const std::string fire =
      R"({"alertName":"cpu","alertState":"ALARM","Curvalue":"95 ","dimensions":[{"userId":"42","instanceId":"i-old"}],)"
      R"("expression":"[{\"expression\":\"$Average>90\",\"level\":4,\"times\":2}]","metricName":"CPUUtilization",)"
      R"("namespace":"acs_ecs","timestamp":"1508136760000","instanceName":"old-1"})";
  auto d = test::decode_json(fire);
  CHECK(d.format == "ali.threshold");
  const Event& e = only(d);
  CHECK(e.status == Status::Warning);
  CHECK(e.event_time == 1508136760);
  CHECK(e.alert_key == "ali.threshold/cpu/instanceId=i-old,userId=42");
  CHECK(e.title == "cpu on old-1: CPUUtilization 95 ($Average>90)");
  test::check_labels(e, {{"resource_id", "i-old"}, {"current_value", "95"}, {"threshold", "$Average>90"}});
  // The object-text variant of dimensions gives the same key.
  auto text = test::decode_json(
      R"({"alertName":"cpu","alertState":"OK","dimensions":"{\"instanceId\":\"i-old\",\"userId\":\"42\"}","metricName":"CPUUtilization"})");
  CHECK(only(text).alert_key == e.alert_key);
}

TEST_CASE("ali.threshold: products without instanceId: the namespace's primary dimension is the resource") {
  struct Case {
    const char* ns;
    const char* dims;
    const char* id;
    const char* shown;
  };
  for (const Case& c : {
           Case{"acs_apigateway_dashboard", "{apiUid=api-9, apiStageName=RELEASE, region=cn-hangzhou}", "api-9",
                "api-9 (RELEASE)"},
           Case{"acs_networkmonitor", "{taskId=t-77, userId=42}", "t-77", "t-77"},
           Case{"acs_slb_dashboard", "{instanceId=lb-1, port=443, protocol=https, userId=42}", "lb-1",
                "lb-1:443/https"},
           Case{"acs_other", "{userId=42, region=cn-x, bucket=b-1}", "b-1", "b-1"},
       }) {
    CAPTURE(c.ns);
    const Event e =
        only(decode_form(std::string("alertState=ALERT&triggerLevel=WARN&alertName=r&metricName=m&namespace=") + c.ns +
                         "&dimensions=" + test::form_escape(c.dims)));
    CHECK(label(e, "resource_id") == c.id);
    CHECK(label(e, "resource") == c.shown);
    CHECK(e.title.find(std::string(" on ") + c.shown) != std::string::npos);
  }
}

TEST_CASE("ali.threshold: a mangled timestamp is kept as text with a warning") {
  auto d = decode_form(body("timestamp=157145442000s"));
  CHECK(only(d).event_time == 0);
  CHECK(label(only(d), "timestamp") == "157145442000s");
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0].find("timestamp '157145442000s'") != std::string::npos);
}

TEST_CASE("ali.threshold: dimensions as JSON, in text or in a JSON body, give the same key") {
  const std::string key = only(decode_form(body())).alert_key;
  auto text =
      decode_form(body("dimensions=" + test::form_escape(R"({"userId":"1270449913360928","instanceId":"i-bp1abc"})")));
  CHECK(only(text).alert_key == key);
  CHECK(label(only(text), "dim_instance_id") == "i-bp1abc");
  CHECK(text.warnings.empty());
  auto json = test::decode_json(
      R"({"alertState":"ALERT","ruleId":"rule-1","metricName":"CPUUtilization","triggerLevel":"WARN",)"
      R"("timestamp":1749903120417,"dimensions":{"instanceId":"i-bp1abc","userId":1270449913360928}})");
  CHECK(json.format == "ali.threshold");
  CHECK(only(json).alert_key == key);
  CHECK(only(json).event_time == 1749903120);
  CHECK(label(only(json), "resource_id") == "i-bp1abc");
}

TEST_CASE("ali.threshold: without dimensions, instanceName (else transId) tells resources apart") {
  for (const char* dims : {"", "&dimensions=null", "&dimensions=%7B%7D"}) {
    CAPTURE(dims);
    const std::string base = "ruleId=r1&metricName=cpu&triggerLevel=WARN" + std::string(dims);
    const Event web1 = only(decode_form("alertState=ALERT&instanceName=web-1&" + base));
    const Event web2 = only(decode_form("alertState=ALERT&instanceName=web-2&" + base));
    CHECK(web1.alert_key == "ali.threshold/r1/instanceName=web-1");
    CHECK(web2.alert_key != web1.alert_key);
    CHECK(only(decode_form("alertState=OK&instanceName=web-1&" + base)).alert_key == web1.alert_key);
    // No instanceName either: transId, stable from trigger to clear.
    const Event t1 = only(decode_form("alertState=ALERT&instanceName=null&transId=tx-1&" + base));
    CHECK(t1.alert_key == "ali.threshold/r1/transId=tx-1");
    CHECK(only(decode_form("alertState=ALERT&transId=tx-2&" + base)).alert_key != t1.alert_key);
    CHECK(only(decode_form("alertState=OK&transId=tx-1&" + base)).alert_key == t1.alert_key);
  }
  // With dimensions they alone decide, as before.
  CHECK(only(decode_form(body("instanceName=web-9"))).alert_key ==
        "ali.threshold/rule-1/instanceId=i-bp1abc,userId=1270449913360928");
}

TEST_CASE("ali.threshold: blanks around dimensions do not change how they are read") {
  const Event alert = only(decode_form(body()));
  // A trailing line break (%0A, %0D%0A) after Java map text.
  for (const char* dims : {"%7BuserId%3D1270449913360928%2C+instanceId%3Di-bp1abc%7D%0A",
                           "%0D%0A%7BuserId%3D1270449913360928%2C%0AinstanceId%3Di-bp1abc%0D%0A%7D%0D%0A"}) {
    CAPTURE(dims);
    auto d = decode_form(body(std::string("dimensions=") + dims, "OK", "OK"));
    CHECK(only(d).alert_key == alert.alert_key);
    CHECK(label(only(d), "resource_id") == "i-bp1abc");
    CHECK(d.warnings.empty());
  }
  // JSON text with blanks after the brace is still JSON.
  auto json = decode_form(body(
      "dimensions=" + test::form_escape("\n{ \"userId\": \"1270449913360928\",\n \"instanceId\": \"i-bp1abc\" }")));
  CHECK(only(json).alert_key == alert.alert_key);
  CHECK(label(only(json), "dim_instance_id") == "i-bp1abc");
  CHECK(json.warnings.empty());
}

TEST_CASE("ali.threshold: huge dimensions keep labels up to Flashduty's 50") {
  // Linear work per entry: the quadratic labelling this guards against took most of a minute.
  constexpr int kEntries = 250000;
  std::string map = "{instanceId=i-big";
  std::string json = R"({"instanceId":"i-big")";
  for (int i = 0; i < kEntries; ++i) {
    map += ", k" + std::to_string(i) + "=" + std::to_string(i);
    json += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  }
  map += "}";
  json += "}";
  for (const std::string& dims : {map, json}) {
    auto d = decode_form("alertState=ALERT&ruleId=r-big&metricName=cpu&triggerLevel=WARN&dimensions=" +
                         test::form_escape(dims));
    const Event& e = only(d);
    CHECK(e.labels.size() == 50);
    CHECK(label(e, "resource_id") == "i-big");
    CHECK(label(e, "dim_k0") == "0");
    CHECK(label(e, "dim_k" + std::to_string(kEntries - 1)) == "<absent>");
    CHECK(e.alert_key.rfind("ali.threshold/h/", 0) == 0);  // Every entry is in the (hashed) key.
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0].find("more labels than Flashduty's 50") != std::string::npos);
  }
}

TEST_CASE("ali.threshold: ',' and '=' inside dimension values cannot make two resources share a key") {
  // As Java map text "{a=x, b=y}" and "{a=x,b=y}" (one value holding ",b=y") are different
  // resources; so are JSON dimensions {"a":"x,b=y"} and {"a":"x","b":"y"}.
  auto two = test::decode_json(R"({"alertState":"ALERT","ruleId":"r","metricName":"m","triggerLevel":"WARN",)"
                               R"("dimensions":{"a":"x","b":"y"}})");
  auto one = test::decode_json(R"({"alertState":"ALERT","ruleId":"r","metricName":"m","triggerLevel":"WARN",)"
                               R"("dimensions":{"a":"x,b=y"}})");
  CHECK(only(two).alert_key == "ali.threshold/r/a=x,b=y");
  CHECK(only(one).alert_key != only(two).alert_key);
  CHECK(only(one).alert_key == "ali.threshold/r/a=x\\,b\\=y");
}
