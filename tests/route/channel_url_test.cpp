// The one URL rule (route/channel.h), as routes check, the route loader and send's and serve's
// --url apply it. That libcurl accepts whatever it passes: tests/net/deliver/channel_url_curl_test.cpp.
#include <doctest/doctest.h>

#include <string>

#include "route/channel.h"

namespace {

// "" when url passes, else the reason (after the redacted URL).
std::string problem(const std::string& url) {
  std::string why;
  if (cmrelay::check_channel_url(url, why)) return "";
  const size_t colon = why.find(": ", why.find("//") == std::string::npos ? 0 : why.find("//"));
  return colon == std::string::npos ? why : why.substr(colon + 2);
}

}  // namespace

TEST_CASE("channel URL: http and https, a host, a port from 1 to 65535 when one is given") {
  for (const char* url :
       {"http://h/x", "https://api.flashcat.cloud/event/push/alert/standard?integration_key=k", "HTTP://H/",
        "http://127.0.0.1:9/x", "http://[::1]:8080/", "http://h:65535/", "http://h:1/", "http://h:0080/", "http://h:/x",
        "http://a_b.c-d~e/", "http://user:pw@h/", "http://h/?q=1#frag", "http://h/%20"}) {
    CAPTURE(url);
    CHECK(problem(url) == "");
  }
}

TEST_CASE("channel URL: each refusal says why") {
  CHECK(problem("ftp://h/x") == "only http and https are supported");
  CHECK(problem("h/x") == "only http and https are supported");
  CHECK(problem("http:///x") == "no host");
  CHECK(problem("http://127.0.0.1:0/x") == "port 0 cannot be connected to");
  CHECK(problem("http://h:00000/x") == "port 0 cannot be connected to");
  CHECK(problem("http://[::1]:0/") == "port 0 cannot be connected to");
  CHECK(problem("http://h:65536/") == "the port is not a number from 1 to 65535");
  CHECK(problem("http://h:123456/") == "the port is not a number from 1 to 65535");
  CHECK(problem("http://a b/").starts_with("not a valid URL (at character"));
  CHECK(problem("http://h/a b") == "not a valid URL (at character 11)");
  CHECK(problem("http://[::1/").starts_with("not a valid URL"));
}

TEST_CASE("channel URL: a host name is unreserved characters only, as libcurl wants it") {
  for (const char* url :
       {"http://a!b/", "http://a$b/", "http://a'b/", "http://a(b)/", "http://a*b/", "http://a+b/", "http://a,b/",
        "http://a;b/", "http://a=b/", "http://a&b/", "http://a%20b/", "http://%41/", "http://h%2Fx/"}) {
    CAPTURE(url);
    CHECK(problem(url) == "the host name holds a character other than a letter, a digit, '-', '.', '_' or '~'");
  }
  CHECK(problem("http://[v1.x]/") == "an IPvFuture address cannot be connected to");
}

TEST_CASE("channel URL: the reason never holds the secret") {
  std::string why;
  CHECK_FALSE(cmrelay::check_channel_url("http://h:0/?integration_key=s3cret", why));
  CHECK(why == "http://h:0/?integration_key=***: port 0 cannot be connected to");
}
