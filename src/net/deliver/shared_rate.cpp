#include "net/deliver/shared_rate.h"

#include <random>

namespace cmrelay::deliver {
namespace {

// The server's clock in µs, first in both scripts. Redis before 7 replicates a script by
// its text unless told to replicate its effects, and then refuses a write after TIME (not
// deterministic); from 7 on, effects are the default.
constexpr std::string_view kServerNow = R"lua(
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
)lua";

// KEYS: the windows. ARGV: the member to add, then per window its count and span (µs).
// Returns 0 when the slot was taken in every window, else the wait in µs.
const state::Script kTake(std::string(kServerNow) + R"lua(
local wait = 0
for i, key in ipairs(KEYS) do
  local count, span = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  local n = redis.call('ZCARD', key)
  if n >= count then
    -- Room comes when the (n - count + 1)th oldest start leaves.
    local s = redis.call('ZRANGE', key, n - count, n - count, 'WITHSCORES')
    wait = math.max(wait, tonumber(s[2]) + span - now)
  end
end
if wait > 0 then return math.ceil(wait) end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[2 * i + 1]) / 1000))
end
return 0
)lua");

// KEYS: the windows. ARGV: a member prefix, per window its count and span (µs), then ages
// (µs). Each start younger than a window's span is added to it, at now - age.
const state::Script kSeed(std::string(kServerNow) + R"lua(
local first = 2 * #KEYS + 2
for i, key in ipairs(KEYS) do
  local span = tonumber(ARGV[2 * i + 1])
  for j = first, #ARGV do
    local age = tonumber(ARGV[j])
    if age < span then redis.call('ZADD', key, now - age, ARGV[1] .. ':' .. j) end
  end
  redis.call('PEXPIRE', key, math.ceil(span / 1000))
end
return 0
)lua");

}  // namespace

SharedWindows::SharedWindows(state::RedisLink& link, std::string_view budget_key, const std::vector<Window>& windows)
    : link_(link) {
  const std::string budget = "cmrelay:rate:" + state::hashed_name(budget_key) + ":";
  for (const Window& w : windows) {
    names_.push_back(budget + std::to_string(w.rate.count) + "/" + std::to_string(w.rate.per.count()) + "ms");
    texts_.push_back(std::to_string(w.rate.count));
    texts_.push_back(std::to_string(w.span.count()));
  }
  // Views made once: a slot costs the script's round trip, not allocations to ask for it.
  keys_.assign(names_.begin(), names_.end());
  args_.emplace_back();  // The member.
  args_.insert(args_.end(), texts_.begin(), texts_.end());
  std::random_device rd;
  member_ = std::to_string((uint64_t{rd()} << 32) | rd()) + ":";
  prefix_ = member_.size();
}

std::chrono::microseconds SharedWindows::take() {
  member_.resize(prefix_);
  member_ += std::to_string(seq_++);
  args_[0] = member_;
  return std::chrono::microseconds(link_.eval(kTake, keys_, args_).integer());
}

void SharedWindows::seed(const std::vector<std::chrono::microseconds>& ages) {
  if (ages.empty()) return;
  const std::string prefix = member_.substr(0, prefix_) + "seed" + std::to_string(seq_++);
  std::vector<std::string> ages_text;
  ages_text.reserve(ages.size());
  for (auto a : ages) ages_text.push_back(std::to_string(a.count()));
  std::vector<std::string_view> args = args_;
  args[0] = prefix;
  args.insert(args.end(), ages_text.begin(), ages_text.end());
  link_.eval(kSeed, keys_, args);
}

}  // namespace cmrelay::deliver
