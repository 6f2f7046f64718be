// The Flashduty standard event as a target kind: the body is the event itself (not even
// copied), the answers mean what spec/flashduty.md says, the default budget is Flashduty's
// documented limits on a Flashduty push URL, and channels sharing an integration key share
// a budget.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include "target/kinds.h"

using namespace cmrelay;
using namespace cmrelay::target;

namespace {

const Target& flashduty() { return *flashduty_target(); }

Judgement answer(long status, std::string_view body = "{}", std::optional<std::chrono::milliseconds> retry_after = {},
                 std::string_view location = {}) {
  Response r;
  r.status = status;
  r.body = body;
  r.retry_after = retry_after;
  r.location = location;
  return flashduty().judge(r);
}

}  // namespace

TEST_CASE("the kind table finds flashduty by name, and only known names") {
  const Kind* k = find_kind("flashduty");
  REQUIRE(k != nullptr);
  CHECK(k->name == "flashduty");
  CHECK(k->default_url.empty());  // url: is required.
  CHECK(k->keys.empty());
  Settings s;
  s.channel = "ops";
  s.url = "https://api.flashcat.cloud/event/push/alert/standard?integration_key=k";
  Problem p;
  std::shared_ptr<const Target> t = k->make(s, p);
  REQUIRE(t != nullptr);
  CHECK(t->kind() == "flashduty");
  CHECK(find_kind("Flashduty") == nullptr);
  CHECK(find_kind("") == nullptr);
  CHECK(kind_names().starts_with("flashduty"));
}

TEST_CASE("the request is the standard event itself, to the channel's URL, as JSON") {
  const std::string url = "https://api.flashcat.cloud/event/push/alert/standard?integration_key=k";
  const std::string event = R"({"event_status":"Warning","title_rule":"t","alert_key":"a"})";
  const std::array<std::string_view, 1> events{event};
  Request out;
  std::string error;
  CHECK(flashduty().render(events, url, RenderContext{}, out, error) == 1);
  CHECK(error.empty());
  CHECK(out.body.data() == event.data());  // Not copied.
  CHECK(out.body.size() == event.size());
  CHECK(out.url.data() == url.data());
  CHECK(flashduty().headers() ==
        std::vector<std::pair<std::string, std::string>>{{"Content-Type", "application/json"}});
  CHECK(flashduty().digest_limit() == 1);
  CHECK(flashduty().secrets().empty());  // Its key is in the URL, masked as every URL secret is.
}

TEST_CASE("answers: 2xx without error delivered; 408, 429, 5xx but 501 retried; the rest failed") {
  CHECK(answer(200, R"({"request_id":"r","data":{"alert_key":"k"}})").verdict == Verdict::Delivered);
  CHECK(answer(204, "").verdict == Verdict::Delivered);
  CHECK(answer(200, "not json").verdict == Verdict::Delivered);
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L, 599L}) CHECK(answer(s).verdict == Verdict::Retry);
  for (long s : {301L, 400L, 401L, 403L, 404L, 409L, 413L, 422L, 501L}) CHECK(answer(s).verdict == Verdict::Fail);
  Judgement e = answer(200, R"({"request_id":"r","error":{"code":"InvalidParameter","message":"bad"}})");
  CHECK(e.verdict == Verdict::Fail);
  CHECK(e.error == "HTTP 200 InvalidParameter: bad (error in a 2xx response)");
  CHECK(e.request_id == "r");
  CHECK(answer(403, R"({"error":"forbidden"})").error == "HTTP 403: forbidden");
  CHECK(answer(302, "{}", {}, "https://x/?integration_key=***").error ==
        "HTTP 302: redirects are not followed (Location: https://x/?integration_key=***)");
}

TEST_CASE("a 429 is throttled; a Retry-After on a 429 or 503 holds the whole budget") {
  using std::chrono::seconds;
  Judgement t = answer(429, R"({"error":{"code":"RequestTooFrequently","message":"slow down"}})", seconds(3));
  CHECK(t.throttled);
  CHECK(t.budget_wait);
  CHECK(t.retry_after == seconds(3));
  CHECK(t.error == "HTTP 429 RequestTooFrequently: slow down");
  Judgement busy = answer(503, "{}", seconds(2));
  CHECK_FALSE(busy.throttled);
  CHECK(busy.budget_wait);
  Judgement other = answer(500, "{}", seconds(2));
  CHECK_FALSE(other.budget_wait);  // Waits for the event only.
  CHECK(other.retry_after == seconds(2));
}

TEST_CASE("the default budget is Flashduty's limits on a Flashduty push URL, none elsewhere") {
  CHECK(flashduty().default_rate("https://api.flashcat.cloud/event/push/alert/standard?integration_key=k") ==
        "100/s,1000/m");
  CHECK(flashduty().default_rate("https://API.flashcat.cloud:443/event/push/alert/standard?integration_key=x") ==
        "100/s,1000/m");
  CHECK(flashduty().default_rate("https://api.flashcat.cloud/other") == "none");
  CHECK(flashduty().default_rate("https://example.com/event/push/alert/standard?integration_key=k") == "none");
  CHECK(is_flashduty_push("https://api.flashcat.cloud/event/push/alert/standard"));
  CHECK_FALSE(is_flashduty_push("not a url"));
}

TEST_CASE("channels sharing an integration key share a budget") {
  const char* a = "https://api.flashcat.cloud/event/push/alert/standard?integration_key=k1";
  const char* b = "https://api.flashcat.cloud/event/push/alert/standard?x=1&integration_key=k1";
  const char* c = "https://api.flashcat.cloud/event/push/alert/standard?integration_key=k2";
  CHECK(flashduty().budget_key(a) == flashduty().budget_key(b));
  CHECK(flashduty().budget_key(a) != flashduty().budget_key(c));
  CHECK(flashduty().budget_key("http://h/x") != flashduty().budget_key("http://h/y"));
}
