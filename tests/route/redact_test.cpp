#include "route/redact.h"

#include <doctest/doctest.h>

using cmrelay::redact_url;

TEST_CASE("redact_url hides query values named like secrets") {
  CHECK(redact_url("https://api.flashcat.cloud/event/push/alert/standard?integration_key=abc123") ==
        "https://api.flashcat.cloud/event/push/alert/standard?integration_key=***");
  CHECK(redact_url("https://h/p?a=1&Access_Token=t&SECRET=s&b=2") == "https://h/p?a=1&Access_Token=***&SECRET=***&b=2");
  CHECK(redact_url("https://h/p?apiKey=&x") == "https://h/p?apiKey=***&x");
  CHECK(redact_url("https://h/p") == "https://h/p");
  CHECK(redact_url("https://h/p?team=ops#frag") == "https://h/p?team=ops#frag");
}

TEST_CASE("redact_url hides a password in the user info") {
  CHECK(redact_url("https://bob:hunter2@h.example/p?key=k") == "https://bob:***@h.example/p?key=***");
  CHECK(redact_url("https://bob@h.example/p") == "https://bob@h.example/p");
}

TEST_CASE("redact_url keeps URLs without secrets byte for byte") {
  for (const char* url : {"http://127.0.0.1:8080/x", "https://h/p?", "https://h/p?a=1&b=2", "https://h/#k?token=1",
                          "http://user@h/p", "", "no-scheme?token"}) {
    CHECK(redact_url(url) == url);
  }
  CHECK(redact_url("http://h/p?team=ops&monkey=banana") == "http://h/p?team=ops&monkey=***");  // "key" inside a name.
  CHECK(redact_url("http://h/p?token=abc#frag") == "http://h/p?token=***#frag");
  CHECK(redact_url("https://bob:p@ss@h/p") == "https://bob:***@h/p");
}

TEST_CASE("redact_secrets masks the URL's secrets wherever a message echoes them") {
  using cmrelay::redact_secrets;
  std::string url = "https://bob:pw1@h/p?integration_key=abc123&team=ops&token=zz";
  CHECK(redact_secrets("integration_key abc123 is unknown (abc123)", url) == "integration_key *** is unknown (***)");
  CHECK(redact_secrets("team ops token zz, user bob:pw1", url) == "team ops token ***, user bob:***");
  CHECK(redact_secrets("nothing here", "http://h/p?key=") == "nothing here");
}

TEST_CASE("redact_secrets: a secret echoed back decoded is masked too") {
  const std::string url = "https://h/p?integration_key=Ab%2BCd%2FEf%3D%3D+x&team=ops";
  CHECK(cmrelay::redact_secrets("key Ab%2BCd%2FEf%3D%3D+x bad", url) == "key *** bad");
  CHECK(cmrelay::redact_secrets("key Ab+Cd/Ef== x bad", url) == "key *** bad");   // '+' read as a space
  CHECK(cmrelay::redact_secrets("key Ab+Cd/Ef==+x bad", url) == "key *** bad");   // '+' kept
  CHECK(cmrelay::redact_secrets("team ops", url) == "team ops");
}
