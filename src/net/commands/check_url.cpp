#include "net/commands/check_url.h"

#include <curl/curl.h>

#include <cstdio>
#include <string_view>

#include "report/diag.h"
#include "text/url_redact.h"

namespace cmrelay::cli {

bool check_delivery_url(const std::string& url, std::string& why) {
  CURLU* u = curl_url();
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
  char* scheme = nullptr;
  if (rc == CURLUE_OK) rc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
  bool ok = rc == CURLUE_OK && (std::string_view(scheme) == "http" || std::string_view(scheme) == "https");
  if (!ok) {
    why = redact_url(url) + ": " +
          (rc != CURLUE_OK ? std::string(curl_url_strerror(rc)) : std::string("only http and https are supported"));
  }
  curl_free(scheme);
  curl_url_cleanup(u);
  return ok;
}

bool check_route_channels(const RouteTable& routes) {
  std::string why;
  for (const Channel& c : routes.channels()) {
    if (check_delivery_url(c.url, why)) continue;
    diag::say("%s: channel %s: %s", routes.path().c_str(), c.name.c_str(), why.c_str());
    return false;
  }
  return true;
}

bool check_rate_option(const std::string& rate, bool with_url, std::vector<Rate>& rates, std::string& why) {
  if (!with_url) {
    why = "--rate goes with --url; in a route file, give each channel its rate: [100/s, 1000/m]";
    return false;
  }
  if (parse_rates(rate, rates, why)) return true;
  why = "--rate: " + why;
  return false;
}

}  // namespace cmrelay::cli
