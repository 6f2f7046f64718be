#include "net/state/redis_store.h"

#include <string>

#include "net/state/channel_list.h"

namespace cmrelay::state {
namespace {

const std::string kAlert = "cmrelay:alert:";
const std::string kIndex = "cmrelay:alerts";
const std::string kSweptAt = "cmrelay:alerts:swept";  // Set (with a TTL) by the host that sweeps.

// KEYS: the alert's hash, the index. ARGV: severity, title, channels (JSON), now, max_age
// (seconds, 0: none), the alert_key. The channels remembered first keep their place.
const Script kRemember(R"lua(
local list = cjson.decode(ARGV[3])
local old = redis.call('HGET', KEYS[1], 'c')
if old then
  local merged = cjson.decode(old)
  local have = {}
  for _, c in ipairs(merged) do have[c] = true end
  for _, c in ipairs(list) do
    if not have[c] then merged[#merged + 1] = c; have[c] = true end
  end
  list = merged
  redis.call('HSET', KEYS[1], 's', ARGV[1], 't', ARGV[2], 'l', ARGV[4])
  redis.call('HINCRBY', KEYS[1], 'g', 1)
else
  redis.call('HSET', KEYS[1], 's', ARGV[1], 't', ARGV[2], 'f', ARGV[4], 'l', ARGV[4], 'g', 1)
end
if #list == 0 then
  redis.call('HSET', KEYS[1], 'c', '[]')
else
  redis.call('HSET', KEYS[1], 'c', cjson.encode(list))
end
if tonumber(ARGV[5]) > 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[5])
else
  redis.call('PERSIST', KEYS[1])
end
redis.call('ZADD', KEYS[2], 0, ARGV[6])
return 1
)lua");

// KEYS: the alert's hash, the index. ARGV: channel, generation, the alert_key.
const Script kClosed(R"lua(
if redis.call('HGET', KEYS[1], 'g') ~= ARGV[2] then return 0 end
local left, found = {}, false
for _, c in ipairs(cjson.decode(redis.call('HGET', KEYS[1], 'c'))) do
  if c == ARGV[1] then found = true else left[#left + 1] = c end
end
if not found then return 0 end
if #left == 0 then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
else
  redis.call('HSET', KEYS[1], 'c', cjson.encode(left))
end
return 1
)lua");

// KEYS: the alert's hash, the index. ARGV: the alert_key. 1 when it was open.
const Script kForget(R"lua(
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
)lua");

// KEYS: the index. ARGV: after ('' from the start), count, the hash prefix, forget (1: each
// alert met is removed). Up to count index entries after `after`: returns {last entry read
// or '', then per open alert: key, s, t, c, f, l, g}. An entry whose hash is gone (expired)
// leaves the index. (The hashes are not declared KEYS: Redis Cluster is not supported.)
const Script kListPage(R"lua(
local min = ARGV[1] == '' and '-' or '(' .. ARGV[1]
local keys = redis.call('ZRANGEBYLEX', KEYS[1], min, '+', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {keys[#keys] or ''}
for _, k in ipairs(keys) do
  local h = redis.call('HMGET', ARGV[3] .. k, 's', 't', 'c', 'f', 'l', 'g')
  if not h[1] then
    redis.call('ZREM', KEYS[1], k)
  else
    out[#out + 1] = k
    for i = 1, 6 do out[#out + 1] = h[i] or '' end
    if ARGV[4] == '1' then
      redis.call('DEL', ARGV[3] .. k)
      redis.call('ZREM', KEYS[1], k)
    end
  end
end
return out
)lua");

constexpr size_t kFields = 7;  // Per alert in a page: the key and six hash fields.

void read_alert(ReplyView r, size_t at, OpenAlert& a) {
  a.alert_key = std::string(r[at].str());
  a.severity = std::string(r[at + 1].str());
  a.title = std::string(r[at + 2].str());
  a.channels = parse_channels(r[at + 3].str());
  a.first_seen = r[at + 4].integer();
  a.last_seen = r[at + 5].integer();
  a.generation = r[at + 6].integer();
}

}  // namespace

RedisStore::RedisStore(RedisLink& link, std::chrono::seconds max_age) : link_(link), max_age_(max_age) {}

void RedisStore::remember(std::string_view key, std::string_view severity, std::string_view title,
                          const std::vector<std::string>& channels, int64_t now) {
  const std::string hash = kAlert + std::string(key);
  const std::string list = channels_json(channels);
  const std::string at = std::to_string(now);
  const std::string ttl = std::to_string(max_age_.count());
  link_.eval(kRemember, {hash, kIndex}, {severity, title, list, at, ttl, key});
}

bool RedisStore::find(std::string_view key, OpenAlert& out) {
  const std::string hash = kAlert + std::string(key);
  Reply r = link_.command({"HMGET", hash, "s", "t", "c", "f", "l", "g"});
  if (r.size() != 6 || r[0].nil()) return false;
  out.alert_key = std::string(key);
  out.severity = std::string(r[0].str());
  out.title = std::string(r[1].str());
  out.channels = parse_channels(r[2].str());
  out.first_seen = r[3].integer();
  out.last_seen = r[4].integer();
  out.generation = r[5].integer();
  return true;
}

void RedisStore::closed(std::string_view key, std::string_view channel, int64_t generation) {
  const std::string hash = kAlert + std::string(key);
  const std::string g = std::to_string(generation);
  link_.eval(kClosed, {hash, kIndex}, {channel, g, key});
}

bool RedisStore::forget(std::string_view key) {
  const std::string hash = kAlert + std::string(key);
  return link_.eval(kForget, {hash, kIndex}, {key}).integer() > 0;
}

void RedisStore::list_page(const std::string& after, std::vector<OpenAlert>& out) {
  // The index may hold expired entries: read on until the page is full or the index ends,
  // so that a short page means the end (Store::each). Never more asked for than the page
  // has room for, so that the next page starts after the last alert returned.
  std::string from = after;
  while (out.size() < kPage) {
    const std::string room = std::to_string(kPage - out.size());
    Reply r = link_.eval(kListPage, {kIndex}, {from, room, kAlert, "0"});
    if (r.size() == 0 || r[0].str().empty()) return;  // Nothing more in the index.
    for (size_t at = 1; at + kFields <= r.size(); at += kFields) read_alert(r, at, out.emplace_back());
    from = std::string(r[0].str());
  }
}

uint64_t RedisStore::forget_all() {
  uint64_t n = 0;
  const std::string count = std::to_string(kPage);
  for (;;) {
    Reply r = link_.eval(kListPage, {kIndex}, {"", count, kAlert, "1"});
    if (r.size() == 0 || r[0].str().empty()) return n;
    n += (r.size() - 1) / kFields;
  }
}

uint64_t RedisStore::expire(int64_t) {
  const std::string count = std::to_string(kPage);
  uint64_t before = static_cast<uint64_t>(link_.command({"ZCARD", kIndex}).integer());
  std::string from;
  for (;;) {
    Reply r = link_.eval(kListPage, {kIndex}, {from, count, kAlert, "0"});
    if (r.size() == 0 || r[0].str().empty()) break;
    from = std::string(r[0].str());
  }
  uint64_t after = static_cast<uint64_t>(link_.command({"ZCARD", kIndex}).integer());
  return before > after ? before - after : 0;
}

void RedisStore::expire_if_due() {
  const std::string every = std::to_string(kExpireEvery);
  Reply r = link_.command({"SET", kSweptAt, "1", "NX", "EX", every});
  if (!r.nil()) expire(0);
}

}  // namespace cmrelay::state
