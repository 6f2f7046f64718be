#include <doctest/doctest.h>

#include "deliver/redact.h"

using cmrelay::deliver::redact_text;
using cmrelay::deliver::redact_url;

TEST_CASE("the integration key and every key/token/secret query value are masked") {
  CHECK(redact_url("https://api.flashcat.cloud/event/push/alert/standard?integration_key=abc123") ==
        "https://api.flashcat.cloud/event/push/alert/standard?integration_key=***");
  CHECK(redact_url("http://h/p?a=1&API_KEY=x&access_token=y&Client-Secret=z&tokenish=w&b=2") ==
        "http://h/p?a=1&API_KEY=***&access_token=***&Client-Secret=***&tokenish=***&b=2");
  CHECK(redact_url("http://h/p?team=ops&monkey=banana") == "http://h/p?team=ops&monkey=***");  // "key" inside a name.
  CHECK(redact_url("http://h/p?key=&flag&x=1") == "http://h/p?key=***&flag&x=1");
  CHECK(redact_url("http://h/p?token=abc#frag") == "http://h/p?token=***#frag");
}

TEST_CASE("URLs without secrets are kept byte for byte") {
  for (const char* url : {"http://127.0.0.1:8080/x", "https://h/p?", "https://h/p?a=1&b=2", "https://h/#k?token=1",
                          "http://user@h/p", ""}) {
    CHECK(redact_url(url) == url);
  }
}

TEST_CASE("a password in the user info is masked") {
  CHECK(redact_url("https://bob:hunter2@h:443/p?x=1") == "https://bob:***@h:443/p?x=1");
  CHECK(redact_url("https://bob:p@ss@h/p") == "https://bob:***@h/p");
}

TEST_CASE("redact_text masks the URL's secrets wherever a message echoes them") {
  std::string url = "https://h/p?integration_key=abc123&team=ops&token=zz";
  CHECK(redact_text("integration_key abc123 is unknown (abc123)", url) == "integration_key *** is unknown (***)");
  CHECK(redact_text("team ops token zz", url) == "team ops token ***");
  CHECK(redact_text("nothing here", "http://h/p") == "nothing here");
}
