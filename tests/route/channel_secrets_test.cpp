#include <doctest/doctest.h>

#include "route/channel.h"

TEST_CASE("channel_secrets: URL parts as written and decoded, header values and their credentials") {
  cmrelay::Channel ch;
  ch.url = "https://deploy-bot:pw%2B1@h/hooks/T0A1/Bx9Q?integration_key=Ab%2BCd&code=c0de";
  ch.headers = {{"Authorization", "Bearer abc.def"}, {"X-Api-Key", "k3y-value"}, {"X-Env", "1"}};
  ch.redact.query = {"code"};
  auto secrets = cmrelay::channel_secrets(ch);
  using cmrelay::mask_secrets;
  CHECK(mask_secrets("key Ab+Cd, Ab%2BCd, token abc.def, header Bearer abc.def, api k3y-value", secrets) ==
        "key ***, ***, token ***, header ***, api ***");
  CHECK(mask_secrets("path T0A1/Bx9Q user deploy-bot pw pw+1 code c0de", secrets) ==
        "path ***/*** user *** pw *** code ***");
  CHECK(mask_secrets("HTTP 401 from env 1", secrets) == "HTTP 401 from env 1");  // A short header value is no secret.
  for (size_t i = 1; i < secrets.size(); ++i) CHECK(secrets[i - 1].size() >= secrets[i].size());
}
