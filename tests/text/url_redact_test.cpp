#include "text/url_redact.h"

#include <doctest/doctest.h>

using cmrelay::redact_url;

namespace {

// text masked with the secrets of a bare URL, as a server's message about it would be.
std::string redact_secrets(std::string_view text, std::string_view url) {
  std::vector<std::string> secrets = cmrelay::url_secrets(url);
  cmrelay::longest_first(secrets);
  return cmrelay::mask_secrets(text, secrets);
}

}  // namespace

TEST_CASE("redact_url hides query values named like secrets") {
  CHECK(redact_url("https://api.flashcat.cloud/event/push/alert/standard?integration_key=abc123") ==
        "https://api.flashcat.cloud/event/push/alert/standard?integration_key=***");
  CHECK(redact_url("https://h/p?a=1&Access_Token=t&SECRET=s&b=2") == "https://h/p?a=1&Access_Token=***&SECRET=***&b=2");
  CHECK(redact_url("https://h/p?apiKey=&x") == "https://h/p?apiKey=***&x");
  CHECK(redact_url("https://h/p") == "https://h/p");
  CHECK(redact_url("https://h/p?team=ops#frag") == "https://h/p?team=ops#frag");
}

TEST_CASE("redact_url hides the user info: the password, and the user (a token as the user part)") {
  CHECK(redact_url("https://bob:hunter2@h.example/p?key=k") == "https://***:***@h.example/p?key=***");
  CHECK(redact_url("https://glpat-T0KEN@h.example/p") == "https://***@h.example/p");
  CHECK(redact_url("https://:pw@h.example/p") == "https://:***@h.example/p");
}

TEST_CASE("redact_url keeps URLs without secrets byte for byte") {
  for (const char* url : {"http://127.0.0.1:8080/x", "https://h/p?", "https://h/p?a=1&b=2", "https://h/#k?token=1", "",
                          "no-scheme?token", "http://h/s/200", "http://h/api/v1/alerts/critical"}) {
    CHECK(redact_url(url) == url);
  }
  CHECK(redact_url("http://h/p?team=ops&monkey=banana") == "http://h/p?team=ops&monkey=***");  // "key" inside a name.
  CHECK(redact_url("http://h/p?token=abc#frag") == "http://h/p?token=***#frag");
  CHECK(redact_url("https://bob:p@ss@h/p") == "https://***:***@h/p");
}

TEST_CASE("url_secrets and mask_secrets mask the URL's secrets wherever a message echoes them") {
  std::string url = "https://bob:pw1@h/p?integration_key=abc123&team=ops&token=zz";
  CHECK(redact_secrets("integration_key abc123 is unknown (abc123)", url) == "integration_key *** is unknown (***)");
  CHECK(redact_secrets("team ops token zz, user bob:pw1", url) == "team ops token ***, user ***:***");
  CHECK(redact_secrets("nothing here", "http://h/p?key=") == "nothing here");
}

TEST_CASE("url_secrets: a secret echoed back decoded is masked too") {
  const std::string url = "https://h/p?integration_key=Ab%2BCd%2FEf%3D%3D+x&team=ops";
  CHECK(redact_secrets("key Ab%2BCd%2FEf%3D%3D+x bad", url) == "key *** bad");
  CHECK(redact_secrets("key Ab+Cd/Ef== x bad", url) == "key *** bad");  // '+' read as a space
  CHECK(redact_secrets("key Ab+Cd/Ef==+x bad", url) == "key *** bad");  // '+' kept
  CHECK(redact_secrets("team ops", url) == "team ops");
}

TEST_CASE("redact_url: query names of signatures, passwords, credentials and auth") {
  CHECK(redact_url("https://h/p?password=pw&passwd=p2&pwd=p3&team=ops") ==
        "https://h/p?password=***&passwd=***&pwd=***&team=ops");
  CHECK(redact_url(
            "https://h/p?sig=s1&signature=s2&X-Amz-Signature=s3&X-Amz-Credential=AKIA%2F1&auth=a&Authorization=b") ==
        "https://h/p?sig=***&signature=***&X-Amz-Signature=***&X-Amz-Credential=***&auth=***&Authorization=***");
  CHECK(redact_url("https://h/p?credential=c&session_id=x&x=1") == "https://h/p?credential=***&session_id=***&x=1");
}

TEST_CASE("redact_url: tokens in paths") {
  // Every segment after a hook-like or key-like one.
  CHECK(redact_url("https://hooks.example.com/hooks/T000/XXXX") == "https://hooks.example.com/hooks/***/***");
  CHECK(redact_url("https://hooks.slack.com/services/T000/B000/XXXX?x=1") ==
        "https://hooks.slack.com/services/***/***/***?x=1");
  CHECK(redact_url("https://discord.com/api/webhooks/123/abc") == "https://discord.com/api/webhooks/***/***");
  CHECK(redact_url("https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d") ==
        "https://open.feishu.cn/open-apis/bot/v2/hook/***");
  CHECK(redact_url("https://h/api/token/abc/more") == "https://h/api/token/***/***");
  // A long segment mixing letters and digits, wherever it sits.
  CHECK(redact_url("https://h/v1/a1b2c3d4e5f6a7b8c9d0e1/push") == "https://h/v1/***/push");
  CHECK(redact_url("https://h/v1/averyveryverylongsegmentname/push") ==
        "https://h/v1/averyveryverylongsegmentname/push");
  CHECK(redact_url("https://h/event/push/alert/standard?integration_key=k") ==
        "https://h/event/push/alert/standard?integration_key=***");
}

TEST_CASE("redact_url: what a channel declares, beyond the rule") {
  cmrelay::SecretParts declared{{"code", "AK"}, false};
  CHECK(redact_url("https://h/p?code=123&ak=x&team=ops", declared) == "https://h/p?code=***&ak=***&team=ops");
  cmrelay::SecretParts path{{}, true};
  CHECK(redact_url("https://h/team/ops/abc?x=1", path) == "https://h/***/***/***?x=1");
  CHECK(redact_url("https://h/?x=1", path) == "https://h/?x=1");
}
