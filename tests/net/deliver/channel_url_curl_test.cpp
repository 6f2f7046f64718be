// The promise of the one URL rule (route/channel.h): libcurl, which the sender hands every
// channel URL to, accepts every URL the rule passes, as an http or https URL with a host. So a
// URL that `routes check` and --url let through is never refused at the first delivery.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "route/channel.h"

namespace {

// libcurl's verdict on url, parsed as CURLOPT_URL parses it: "" when it takes it as http or
// https with a host, else why not.
std::string curl_refusal(const std::string& url) {
  CURLU* u = curl_url();
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  char* scheme = nullptr;
  char* host = nullptr;
  if (rc == CURLUE_OK) rc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
  if (rc == CURLUE_OK) rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
  std::string why = rc != CURLUE_OK ? curl_url_strerror(rc) : "";
  if (why.empty() && std::string(scheme) != "http" && std::string(scheme) != "https")
    why = "scheme " + std::string(scheme);
  if (why.empty() && std::string(host).empty()) why = "no host";
  curl_free(scheme);
  curl_free(host);
  curl_url_cleanup(u);
  return why;
}

// Every printable ASCII byte, and a few others, in every part of a URL.
std::vector<std::string> corpus() {
  std::vector<std::string> urls = {"http://h/x",         "HTTP://H/",
                                   "http://[::1]:80/",   "http://[::ffff:1.2.3.4]/",
                                   "http://[v1.x]/",     "http://[fe80::1%25eth0]/",
                                   "http://h:/x",        "http://h:0080/",
                                   "http://@h/",         "http://:pw@h/",
                                   "http://h#x",         "http://h?x",
                                   "http://1.2.3.4.5/",  "http://0x7f.1/",
                                   "http://h..x/",       "http://.h/",
                                   "http://-h/",         "http://xn--nxasmq6b/",
                                   "http://h\xc3\xa9/",  "http://h/\xc3\xa9",
                                   "http://u\xc3\xa9@h/"};
  std::vector<std::string> bytes;
  for (int c = 0x20; c < 0x7f; ++c) bytes.emplace_back(1, static_cast<char>(c));
  for (const char* b : {"\t", "\x7f", "\x80", "\xff", "%", "%2", "%zz", "%41", "%2F", "%00", "%25"})
    bytes.emplace_back(b);
  for (const std::string& b : bytes) {
    for (const std::string& url : {"http://a" + b + "b/", "http://h/a" + b + "b", "http://h/?a=" + b, "http://h/#" + b,
                                   "http://u" + b + "v:p@h/", "http://u:p" + b + "q@h/", "http://h:8" + b + "/",
                                   "http://[::1" + b + "]/", "http" + b + "://h/"}) {
      urls.push_back(url);
    }
  }
  return urls;
}

}  // namespace

TEST_CASE("channel URL rule: libcurl accepts every URL it passes") {
  size_t passed = 0;
  for (const std::string& url : corpus()) {
    std::string why;
    if (!cmrelay::check_channel_url(url, why)) continue;
    ++passed;
    CAPTURE(url);
    CHECK(curl_refusal(url) == "");
  }
  CHECK(passed > 200);  // The corpus exercises what passes, not only what is refused.
}
