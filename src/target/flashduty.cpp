// The Flashduty standard event (spec/flashduty.md): the body is the event itself, as cmrelay
// normalized it; 2xx without an "error" member is accepted; 408, 429 and 5xx but 501 are
// retried; every other answer is refused. Paced at Flashduty's documented limits (100/s and
// 1000/min per integration) when the URL is a Flashduty push URL.
#include <rapidjson/document.h>
#include <uriparser/Uri.h>

#include "target/kinds.h"
#include "text/ascii.h"

namespace cmrelay::target {
namespace {

std::string_view range(const UriTextRangeA& r) {
  return r.first == nullptr ? std::string_view()
                            : std::string_view(r.first, static_cast<size_t>(r.afterLast - r.first));
}

// The host, the path ("/a/b") and the query of a URL, as written; all empty when it does not parse.
struct UrlParts {
  std::string host, path, query;
};

UrlParts parts_of(std::string_view url) {
  UrlParts out;
  const std::string text(url);
  UriUriA uri;
  const char* error_at = nullptr;
  if (uriParseSingleUriA(&uri, text.c_str(), &error_at) != URI_SUCCESS) return out;
  out.host = range(uri.hostText);
  for (const UriPathSegmentA* s = uri.pathHead; s != nullptr; s = s->next) out.path.append("/").append(range(s->text));
  out.query = range(uri.query);
  uriFreeUriMembersA(&uri);
  return out;
}

// The value of the integration_key query parameter, as written; empty when absent.
std::string integration_key(std::string_view query) {
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    if (pair.starts_with("integration_key=")) return std::string(pair.substr(16));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
  }
  return {};
}

bool retryable_status(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501);
}

// Flashduty's {"request_id":"...","error":{"code":"...","message":"..."}}: sets request_id;
// true when the body carries "error".
bool read_error(std::string_view body, Judgement& out) {
  rapidjson::Document doc;
  // Iterative: the body is whatever the server sent, and RapidJSON's default recursive
  // parser overflows the stack on deep nesting ("[[[[..." 100,000 deep).
  doc.Parse<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const rapidjson::Value& root = doc;  // Const iterators: C++20 finds RapidJSON's == ambiguous otherwise.
  auto id = root.FindMember("request_id");
  if (id != root.MemberEnd() && id->value.IsString())
    out.request_id.assign(id->value.GetString(), id->value.GetStringLength());
  auto it = root.FindMember("error");
  if (it == root.MemberEnd() || it->value.IsNull()) return false;
  const rapidjson::Value& e = it->value;
  if (e.IsString()) {
    out.error_message.assign(e.GetString(), e.GetStringLength());
  } else if (e.IsObject()) {
    auto code = e.FindMember("code");
    if (code != e.MemberEnd() && code->value.IsString()) out.error_code = code->value.GetString();
    auto msg = e.FindMember("message");
    if (msg != e.MemberEnd() && msg->value.IsString()) out.error_message = msg->value.GetString();
  }
  return true;
}

class Flashduty final : public Target {
 public:
  std::string_view kind() const override { return "flashduty"; }

  std::vector<std::pair<std::string, std::string>> headers() const override {
    return {{"Content-Type", "application/json"}};
  }

  size_t render(std::span<const std::string_view> events, std::string_view channel_url, const RenderContext&,
                Request& out, std::string&) const override {
    out.url = channel_url;
    out.body = events.front();  // The standard event is the body: nothing is copied.
    return 1;
  }

  Judgement judge(const Response& r) const override {
    Judgement out;
    out.http_status = r.status;
    out.retry_after = r.retry_after;
    out.throttled = r.status == 429;
    // A 429 or 503 with Retry-After asks the whole integration to wait, not just this event.
    out.budget_wait = r.status == 429 || r.status == 503;
    bool has_error = read_error(r.body, out);
    if (r.status >= 200 && r.status <= 299 && !has_error) {
      out.verdict = Verdict::Delivered;
      return out;
    }
    out.verdict = retryable_status(r.status) ? Verdict::Retry : Verdict::Fail;
    out.error = "HTTP " + std::to_string(r.status);
    if (!out.error_code.empty()) out.error += " " + out.error_code;
    if (!out.error_message.empty()) out.error += ": " + out.error_message;
    if (has_error && r.status >= 200 && r.status <= 299) out.error += " (error in a 2xx response)";
    if (r.status >= 300 && r.status <= 399) {
      out.error += ": redirects are not followed";
      if (!r.location.empty()) out.error.append(" (Location: ").append(r.location).append(")");
    }
    return out;
  }

  std::string default_rate(std::string_view channel_url) const override {
    return std::string(is_flashduty_push(channel_url) ? kFlashdutyRate : "none");
  }

  // The host and integration_key when the URL has one, so that channels sharing a key
  // share a budget; else the whole URL.
  std::string budget_key(std::string_view channel_url) const override {
    UrlParts p = parts_of(channel_url);
    std::string key = integration_key(p.query);
    if (key.empty()) return "url " + std::string(channel_url);
    return "key " + p.host + " " + key;
  }
};

}  // namespace

bool is_flashduty_push(std::string_view url) {
  UrlParts p = parts_of(url);
  return text::iequals(p.host, "api.flashcat.cloud") && p.path.starts_with("/event/push/");
}

std::shared_ptr<const Target> flashduty_target() {
  static const std::shared_ptr<const Target> one = std::make_shared<Flashduty>();
  return one;
}

extern const Kind kFlashdutyKind;
const Kind kFlashdutyKind{"flashduty", "", {}, [](const Settings&, Problem&) { return flashduty_target(); }};

}  // namespace cmrelay::target
