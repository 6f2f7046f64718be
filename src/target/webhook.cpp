// Any webhook: the body is the channel's template rendered with the event (Content-Type
// application/json unless content_type: says otherwise), or, without a template, the
// Flashduty standard event itself. A JSON body that does not parse is an error before
// anything is sent. 2xx is success; 429 waits for its Retry-After (the whole URL); 408 and
// 5xx but 501 are retried; anything else is refused.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>

#include "target/kinds.h"
#include "target/message.h"

namespace cmrelay::target {
namespace {

constexpr size_t kMaxQuoted = 200;  // Bytes of a refusal's body quoted in its error.

class Webhook final : public Target {
 public:
  Webhook(const Settings& s, std::string content_type, std::shared_ptr<const Template> body)
      : channel_(s.channel), content_type_(std::move(content_type)), body_(std::move(body)) {}

  std::string_view kind() const override { return "webhook"; }
  std::vector<std::pair<std::string, std::string>> headers() const override {
    return {{"Content-Type", content_type_}};
  }
  std::string default_rate(std::string_view) const override { return "none"; }
  std::string budget_key(std::string_view channel_url) const override { return "url " + std::string(channel_url); }

  size_t render(std::span<const std::string_view> events, std::string_view channel_url, const RenderContext&,
                Request& out, std::string& error) const override {
    out.url = channel_url;
    if (!body_) {
      out.body = events.front();
      return 1;
    }
    EventView e;
    if (!read_event(events.front(), e)) {
      error = "the event is not a Flashduty standard event";
      return 0;
    }
    out.body_text = body_->render(e, channel_);
    out.use_body_text();
    if (escape_for(content_type_) != Escape::Json) return 1;
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(out.body_text.data(), out.body_text.size());
    if (!doc.HasParseError()) return 1;
    error = "the template rendered a body that is not JSON (" +
            std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " at byte " +
            std::to_string(doc.GetErrorOffset()) + "; {{x}} inserts a value JSON-escaped, inside quotes)";
    return 0;
  }

  Judgement judge(const Response& r) const override {
    return judge_by_status(r,
                           [](std::string_view body, Judgement& j) { j.error_message = body.substr(0, kMaxQuoted); });
  }

 private:
  std::string channel_, content_type_;
  std::shared_ptr<const Template> body_;
};

// A media type: type "/" subtype, RFC 9110 tokens, and optional parameters.
bool media_type(std::string_view s) {
  const size_t slash = s.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 >= s.size()) return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7f;
  });
}

std::shared_ptr<const Target> make(const Settings& s, Problem& p) {
  std::string type = "application/json";
  if (const std::string* t = s.get("content_type")) {
    if (!media_type(*t)) {
      p.key = "content_type";
      p.message = "content_type must be a media type (application/json, text/plain; charset=utf-8...)";
      return nullptr;
    }
    type = *t;
  }
  std::shared_ptr<const Template> body;
  if (const std::string* t = s.get("template")) {
    if (!(body = Template::parse(*t, escape_for(type), p))) return nullptr;
  }
  return std::make_shared<Webhook>(s, type, body);
}

}  // namespace

extern const Kind kWebhookKind;
const Kind kWebhookKind{"webhook", "", {{"template", false, true}, {"content_type"}}, make};

}  // namespace cmrelay::target
