#include <curl/curl.h>

#include <string_view>

#include "route/channel.h"
#include "route/redact.h"

namespace cmrelay {

bool check_channel_url(const std::string& url, std::string& why) {
  CURLU* u = curl_url();
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  char* scheme = nullptr;
  char* port = nullptr;
  if (rc == CURLUE_OK) rc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
  std::string problem;
  if (rc != CURLUE_OK) {
    problem = curl_url_strerror(rc);
  } else if (std::string_view(scheme) != "http" && std::string_view(scheme) != "https") {
    problem = "only http and https are supported";
  } else if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && std::string_view(port) == "0") {
    problem = "port 0 cannot be connected to";  // libcurl parses it; no server listens there.
  }
  curl_free(port);
  curl_free(scheme);
  curl_url_cleanup(u);
  if (problem.empty()) return true;
  why = redact_url(url) + ": " + problem;
  return false;
}

}  // namespace cmrelay
