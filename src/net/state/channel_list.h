// How both stores keep an alert's channel names: a JSON array of strings, in the order first
// sent to (a handful per alert: no second table or key to keep in step).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cmrelay::state {

std::string channels_json(const std::vector<std::string>& channels);

// The names of a channels value; one that is not a JSON array of strings (written by
// something else) reads as no channel.
std::vector<std::string> parse_channels(std::string_view text);

}  // namespace cmrelay::state
