// serve's SMN confirmation: which subscribe_urls may be visited.
#include "net/serve/smn.h"

#include <doctest/doctest.h>

using namespace cmrelay;
using serve::default_smn_hosts;
using serve::smn_url_allowed;

TEST_CASE("smn: the default hosts are Huawei's consoles and SMN endpoints, over https") {
  const auto hosts = default_smn_hosts();
  std::string why;
  CHECK(
      smn_url_allowed("https://console.huaweicloud.com/smn/subscription/confirm?token=x&region=cn-east-3", hosts, why));
  CHECK(smn_url_allowed("https://CONSOLE-INTL.huaweicloud.com/smn/subscription/confirm?token=x", hosts, why));
  CHECK(smn_url_allowed("https://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=x", hosts, why));
  CHECK_FALSE(smn_url_allowed("http://console.huaweicloud.com/smn/subscription/confirm", hosts, why));
  CHECK(why == "subscribe_url is not https");
  CHECK_FALSE(smn_url_allowed("https://console.huaweicloud.com.evil.example/x", hosts, why));
  CHECK(why == "host console.huaweicloud.com.evil.example is not one of --smn-confirm-host");
  CHECK_FALSE(smn_url_allowed("https://myhuaweicloud.com/x", hosts, why));  // *. wants a name under it.
  CHECK_FALSE(smn_url_allowed("https://127.0.0.1:9/x", hosts, why));
  CHECK_FALSE(smn_url_allowed("file:///etc/passwd", hosts, why));
  CHECK_FALSE(smn_url_allowed("not a url", hosts, why));
}

TEST_CASE("smn: an allowed loopback host may be http (tests, a local relay); others may not") {
  const std::vector<std::string> hosts{"127.0.0.1", "relay.example.com"};
  std::string why;
  CHECK(smn_url_allowed("http://127.0.0.1:8080/confirm?token=x", hosts, why));
  CHECK_FALSE(smn_url_allowed("http://relay.example.com/confirm", hosts, why));
  CHECK(smn_url_allowed("https://relay.example.com/confirm", hosts, why));
  CHECK_FALSE(smn_url_allowed("http://127.0.0.2/confirm", hosts, why));
  CHECK(why == "host 127.0.0.2 is not one of --smn-confirm-host");
}
