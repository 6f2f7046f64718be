// What routes test's two modes (explain, batch cases) share.
#pragma once

#include <string>
#include <vector>

#include "cli/commands.h"
#include "route/route.h"

namespace cmrelay::cli {

// "[a, b]"
std::string channel_list(const std::vector<const Channel*>& channels);
std::string channel_list(const std::vector<std::string>& names);
// Same channels, order aside.
bool same_channels(const std::vector<const Channel*>& got, const std::vector<std::string>& expected);

// routes test FILE --cases TESTS.yaml
int run_route_cases(const RouteTable& routes, const RoutesTestOptions& options);

}  // namespace cmrelay::cli
