// A delivery URL check shared by the commands that POST (serve; send has its own copy in
// send.cpp until the two are folded).
#pragma once

#include <string>
#include <vector>

#include "route/route.h"

namespace cmrelay::cli {

// An http or https URL libcurl can parse; else false with why set (the URL redacted).
bool check_delivery_url(const std::string& url, std::string& why);

// Every channel's URL must be one libcurl can POST to; else says which on stderr.
bool check_route_channels(const RouteTable& routes);

// --rate (send and serve): only with a URL channel (with_url), and N/UNIT,... or none.
// Fills rates; else false with why set (the whole message, naming --rate).
bool check_rate_option(const std::string& rate, bool with_url, std::vector<Rate>& rates, std::string& why);

}  // namespace cmrelay::cli
