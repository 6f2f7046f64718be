// Each target kind without a network: what it renders for a firing event and its recovery,
// what it makes of its target's answers, its budget, its secrets, and the digest of several
// events for the message robots. (tests/cli/send_targets.sh sends them to the loopback sink.)
#include "target/kinds.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "target/template.h"

using namespace cmrelay;
using namespace cmrelay::target;

namespace {

const std::string kFiring =
    R"({"event_status":"Critical","title_rule":"disk \"full\"\non db-1","alert_key":"k/db-1","description":"95% used",)"
    R"("labels":{"resource":"db-1","region":"cn-sh"},"event_time":1749841960})";
const std::string kRecovery =
    R"({"event_status":"Ok","title_rule":"disk full on db-1","alert_key":"k/db-1","description":"",)"
    R"("labels":{"resource":"db-1"}})";

std::shared_ptr<const Target> make(std::string_view kind, std::vector<std::pair<std::string, std::string>> values,
                                   Problem* problem = nullptr) {
  const Kind* k = find_kind(kind);
  REQUIRE(k != nullptr);
  Settings s;
  s.channel = "chan";
  s.url = k->default_url.empty() ? "https://robot.example.com/send?access_token=tok" : std::string(k->default_url);
  s.values = std::move(values);
  Problem p;
  std::shared_ptr<const Target> t = k->make(s, problem ? *problem : p);
  return t;
}

std::string fake_hmac(std::string_view key, std::string_view message) {
  return std::string(key) + "|" + std::string(message);
}

struct Rendered {
  size_t carried = 0;
  std::string url, body, error;
  rapidjson::Document json;
};

Rendered render(const Target& t, std::vector<std::string_view> events, Hmac hmac = nullptr) {
  Rendered r;
  Request out;
  const std::string url = "https://robot.example.com/send?access_token=tok";
  RenderContext context{std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)), hmac};
  r.carried = t.render(events, url, context, out, r.error);
  r.url = out.url;
  r.body = out.body;
  r.json.Parse(r.body.c_str());
  return r;
}

Judgement answer(const Target& t, long status, std::string_view body) {
  Response r;
  r.status = status;
  r.body = body;
  return t.judge(r);
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : "<not a string>"; }

}  // namespace

TEST_CASE("the table lists every kind") {
  CHECK(kind_names() == "flashduty, pagerduty, dingtalk, feishu, wecom, slack, webhook");
  for (const Kind* k : all_kinds()) CHECK(find_kind(k->name) == k);
}

TEST_CASE("pagerduty: trigger and resolve by dedup_key, PagerDuty's fields, 120/min per routing key") {
  auto t = make("pagerduty", {{"routing_key", "R0UTING"}});
  REQUIRE(t);
  Rendered f = render(*t, {kFiring});
  REQUIRE(f.json.IsObject());
  CHECK(str(f.json["routing_key"]) == "R0UTING");
  CHECK(str(f.json["event_action"]) == "trigger");
  CHECK(str(f.json["dedup_key"]) == "k/db-1");
  CHECK(str(f.json["payload"]["summary"]) == "disk \"full\"\non db-1");
  CHECK(str(f.json["payload"]["source"]) == "db-1");
  CHECK(str(f.json["payload"]["severity"]) == "critical");
  CHECK(str(f.json["payload"]["timestamp"]) == "2025-06-13T19:12:40Z");
  CHECK(str(f.json["payload"]["custom_details"]["region"]) == "cn-sh");
  CHECK(str(f.json["payload"]["custom_details"]["description"]) == "95% used");
  Rendered r = render(*t, {kRecovery});
  CHECK(str(r.json["event_action"]) == "resolve");
  CHECK(str(r.json["dedup_key"]) == "k/db-1");
  CHECK_FALSE(r.json.HasMember("payload"));
  CHECK(t->default_rate("") == "120/m");
  CHECK(t->budget_key("u") == make("pagerduty", {{"routing_key", "R0UTING"}})->budget_key("v"));
  CHECK(t->budget_key("u") != make("pagerduty", {{"routing_key", "OTHER"}})->budget_key("u"));
  CHECK(t->secrets() == std::vector<std::string>{"R0UTING"});
  CHECK(find_kind("pagerduty")->default_url == "https://events.pagerduty.com/v2/enqueue");
}

TEST_CASE("pagerduty: a long key becomes a stable digest, a long title is cut to 1024") {
  auto t = make("pagerduty", {{"routing_key", "R"}});
  std::string key(300, 'k'), title(2000, 'x');
  std::string e =
      R"({"event_status":"Warning","title_rule":")" + title + R"(","alert_key":")" + key + R"(","labels":{}})";
  Rendered a = render(*t, {e}), b = render(*t, {e});
  CHECK(str(a.json["dedup_key"]).size() <= 255);
  CHECK(str(a.json["dedup_key"]) == str(b.json["dedup_key"]));
  CHECK(str(a.json["payload"]["summary"]).size() == 1024);
  CHECK(str(a.json["payload"]["source"]) == "cmrelay");  // No resource label.
  CHECK(str(a.json["payload"]["severity"]) == "warning");
}

TEST_CASE("pagerduty: 202 accepted, 429 throttled, 5xx retried, other 4xx refused with PagerDuty's words") {
  auto t = make("pagerduty", {{"routing_key", "R"}});
  CHECK(answer(*t, 202, R"({"status":"success"})").verdict == Verdict::Delivered);
  Judgement limit = answer(*t, 429, "{}");
  CHECK(limit.verdict == Verdict::Retry);
  CHECK(limit.throttled);
  CHECK(answer(*t, 500, "").verdict == Verdict::Retry);
  Judgement bad = answer(*t, 400, R"({"status":"invalid event","message":"Event object is invalid","errors":["x"]})");
  CHECK(bad.verdict == Verdict::Fail);
  CHECK(bad.error == "HTTP 400: Event object is invalid; x");
  Problem p;
  CHECK(make("pagerduty", {}, &p) == nullptr);
  CHECK(p.message.find("needs routing_key") != std::string::npos);
}

TEST_CASE("dingtalk: markdown, signed in the URL, errcode judged") {
  auto t = make("dingtalk", {{"secret", "SEC"}});
  REQUIRE(t);
  Rendered f = render(*t, {kFiring}, fake_hmac);
  CHECK(str(f.json["msgtype"]) == "markdown");
  CHECK(str(f.json["markdown"]["title"]) == "[Critical] disk \"full\" on db-1");  // One line.
  const std::string text = str(f.json["markdown"]["text"]);
  CHECK(text.starts_with("### [Critical] disk \"full\" on db-1\n"));
  CHECK(text.find("**Resource**: db-1") != std::string::npos);
  CHECK(text.find("95% used") != std::string::npos);
  // timestamp in ms; sign = URL-encoded Base64 of HMAC(secret, timestamp "\n" secret).
  CHECK(f.url == "https://robot.example.com/send?access_token=tok&timestamp=1700000000000&sign=" +
                     std::string("U0VDfDE3MDAwMDAwMDAwMDAKU0VD"));
  Rendered masked = render(*t, {kFiring});
  CHECK(masked.url.ends_with("&sign=***"));
  Rendered r = render(*t, {kRecovery});
  CHECK(str(r.json["markdown"]["text"]).find("**Recovered**") != std::string::npos);
  CHECK(str(r.json["markdown"]["title"]).starts_with("[Resolved] "));
  CHECK(answer(*t, 200, R"({"errcode":0,"errmsg":"ok"})").verdict == Verdict::Delivered);
  Judgement fast = answer(*t, 200, R"({"errcode":130101,"errmsg":"send too fast"})");
  CHECK(fast.verdict == Verdict::Retry);
  CHECK(fast.throttled);
  Judgement sign = answer(*t, 200, R"({"errcode":310000,"errmsg":"sign not match"})");
  CHECK(sign.verdict == Verdict::Fail);
  CHECK(sign.error == "HTTP 200 errcode 310000: sign not match");
  CHECK(answer(*t, 200, "hello").verdict == Verdict::Fail);  // No errcode: not DingTalk's answer.
  CHECK(t->default_rate("") == "20/m");
  CHECK(t->secrets() == std::vector<std::string>{"SEC"});
  Rendered unsigned_ = render(*make("dingtalk", {}), {kFiring}, fake_hmac);
  CHECK(unsigned_.url == "https://robot.example.com/send?access_token=tok");
}

TEST_CASE("feishu: a card coloured by severity, signed in the body, code judged") {
  auto t = make("feishu", {{"secret", "SEC"}});
  Rendered f = render(*t, {kFiring}, fake_hmac);
  CHECK(str(f.json["msg_type"]) == "interactive");
  CHECK(str(f.json["card"]["header"]["template"]) == "red");
  CHECK(str(f.json["timestamp"]) == "1700000000");
  CHECK(str(f.json["sign"]) == "MTcwMDAwMDAwMApTRUN8");  // Base64 of HMAC(timestamp "\n" secret, "").
  CHECK(str(render(*t, {kRecovery}).json["card"]["header"]["template"]) == "green");
  CHECK(answer(*t, 200, R"({"code":0,"msg":"success"})").verdict == Verdict::Delivered);
  CHECK(answer(*t, 200, R"({"code":9499,"msg":"too many request"})").throttled);
  CHECK(answer(*t, 200, R"({"code":11232,"msg":"frequency limited"})").throttled);
  CHECK(answer(*t, 200, R"({"code":19021,"msg":"sign match fail"})").verdict == Verdict::Fail);
  CHECK(t->default_rate("") == "5/s,100/m");
}

TEST_CASE("wecom: markdown content within 4096 bytes, errcode judged") {
  auto t = make("wecom", {});
  std::string long_description(10000, 'd');
  std::string e = R"({"event_status":"Info","title_rule":"t","alert_key":"k","description":")" + long_description +
                  R"(","labels":{}})";
  Rendered f = render(*t, {e});
  CHECK(str(f.json["msgtype"]) == "markdown");
  CHECK(str(f.json["markdown"]["content"]).size() <= 4096);
  CHECK(answer(*t, 200, R"({"errcode":45009,"errmsg":"api freq out of limit"})").throttled);
  CHECK(answer(*t, 200, R"({"errcode":93000,"errmsg":"invalid webhook url"})").verdict == Verdict::Fail);
  CHECK(t->default_rate("") == "20/m");
}

TEST_CASE("slack: text and blocks; ok, 429 with Retry-After, a refusal in a word") {
  auto t = make("slack", {});
  Rendered f = render(*t, {kFiring});
  CHECK(str(f.json["text"]).starts_with("[Critical] "));
  CHECK(str(f.json["blocks"][0]["type"]) == "header");
  CHECK(str(f.json["blocks"][1]["text"]["type"]) == "mrkdwn");
  CHECK(str(f.json["blocks"][1]["text"]["text"]).starts_with("*[Critical]"));
  CHECK(answer(*t, 200, "ok").verdict == Verdict::Delivered);
  Response limit;
  limit.status = 429;
  limit.body = "rate_limited";
  limit.retry_after = std::chrono::seconds(2);
  Judgement j = t->judge(limit);
  CHECK(j.throttled);
  CHECK(j.budget_wait);
  CHECK(j.retry_after == std::chrono::seconds(2));
  CHECK(answer(*t, 404, "no_service").error == "HTTP 404: no_service");
  CHECK(t->default_rate("") == "1/s");
}

TEST_CASE("the message robots merge several events into one digest, as many as fit") {
  auto t = make("dingtalk", {});
  CHECK(t->digest_limit() > 1);
  Rendered d = render(*t, {kFiring, kRecovery, kFiring});
  CHECK(d.carried == 3);
  const std::string text = str(d.json["markdown"]["text"]);
  CHECK(str(d.json["markdown"]["title"]) == "3 alerts: 2 Critical, 1 Resolved");
  CHECK(text.find("- [Critical] disk \"full\" on db-1 (k/db-1)") != std::string::npos);
  CHECK(text.find("- [Resolved] disk full on db-1 (k/db-1)") != std::string::npos);
  // WeCom's 4096 bytes hold fewer than 100 long titles: the rest wait for the next message.
  auto w = make("wecom", {});
  std::string e =
      R"({"event_status":"Warning","title_rule":")" + std::string(200, 't') + R"(","alert_key":"k","labels":{}})";
  std::vector<std::string_view> many(100, e);
  Rendered cut = render(*w, many);
  CHECK(cut.carried > 1);
  CHECK(cut.carried < 100);
  CHECK(str(cut.json["markdown"]["content"]).size() <= 4096);
  CHECK(str(cut.json["markdown"]["content"]).find(std::to_string(cut.carried) + " alerts") != std::string::npos);
}

TEST_CASE("webhook: the template with values JSON-escaped, {{{raw}}}, a body that is not JSON refused") {
  auto t =
      make("webhook", {{"template", R"({"s": "{{title_rule}}", "h": "{{labels.resource}}", "c": "{{channel}}"})"}});
  REQUIRE(t);
  Rendered f = render(*t, {kFiring});
  REQUIRE(f.json.IsObject());
  CHECK(str(f.json["s"]) == "disk \"full\"\non db-1");
  CHECK(str(f.json["h"]) == "db-1");
  CHECK(str(f.json["c"]) == "chan");
  auto raw = make("webhook", {{"template", R"({"s": {{{title_rule}}}})"}});
  Rendered bad = render(*raw, {kFiring});
  CHECK(bad.carried == 0);
  CHECK(bad.error.find("not JSON") != std::string::npos);
  auto plain =
      make("webhook", {{"template", "{{title_rule}}|{{#resolved}}ok{{/resolved}}"}, {"content_type", "text/plain"}});
  CHECK(render(*plain, {kRecovery}).body == "disk full on db-1|ok");
  CHECK(plain->headers().front().second == "text/plain");
  auto form =
      make("webhook", {{"template", "t={{title_rule}}"}, {"content_type", "application/x-www-form-urlencoded"}});
  CHECK(render(*form, {kRecovery}).body == "t=disk%20full%20on%20db-1");
  auto none = make("webhook", {});
  CHECK(render(*none, {kFiring}).body == kFiring);  // The standard event itself.
  CHECK(answer(*none, 204, "").verdict == Verdict::Delivered);
  CHECK(answer(*none, 400, "nope").error == "HTTP 400: nope");
}

TEST_CASE("a template that does not parse is a problem with its line and column") {
  Problem p;
  CHECK(make("webhook", {{"template", "{\n  \"a\": \"{{#x}}\"\n}"}}, &p) == nullptr);
  CHECK(p.key == "template");
  CHECK(p.line == 2);
  CHECK(p.column == 9);
  CHECK(p.message == "unclosed section \"x\"");
  CHECK(make("slack", {{"template", "a {{b"}}, &p) == nullptr);
  CHECK(p.line == 1);
  CHECK(p.column == 3);
  CHECK(p.message == "unclosed tag");
  CHECK(make("webhook", {{"content_type", "json"}}, &p) == nullptr);
  CHECK(p.key == "content_type");
}
