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
