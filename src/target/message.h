// What the message robots (dingtalk, feishu, wecom, slack) share: one markdown message per
// event (or the channel's template), and a digest when several events waited for the
// robot's budget: one message that states the count and lists each event's status and
// title, as many as fit the robot's size limit (the rest wait for the next message). They
// have no alert lifecycle: a recovery is one more message, which says so ("Resolved").
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "target/event_view.h"
#include "target/kinds.h"
#include "target/template.h"

namespace cmrelay::target {

// One message, before a robot wraps it in its body.
struct Message {
  std::string title;        // One line: "[Critical] disk full on db-1", "3 alerts: ...".
  std::string text;         // Markdown in the robot's dialect.
  std::string_view status;  // The most severe status among its events (a card's colour).
  size_t events = 0;
};

// A robot's markdown: how it makes bold text, whether a heading line may open the text,
// and how many bytes of text it takes.
struct Dialect {
  std::string_view bold = "**";
  bool headings = true;
  size_t max_text = 18000;
};

class MessageTarget : public Target {
 public:
  MessageTarget(const Settings& settings, std::shared_ptr<const Template> text_template);

  std::vector<std::pair<std::string, std::string>> headers() const override {
    return {{"Content-Type", "application/json"}};
  }
  size_t render(std::span<const std::string_view> events, std::string_view channel_url, const RenderContext& context,
                Request& out, std::string& error) const final;
  std::string budget_key(std::string_view channel_url) const override { return "url " + std::string(channel_url); }
  size_t digest_limit() const override { return 100; }
  std::vector<std::string> secrets() const override;

 protected:
  virtual Dialect dialect() const = 0;
  // Fills out's body (and URL, when signed) for message m.
  virtual void wrap(const Message& m, std::string_view channel_url, const RenderContext& context,
                    Request& out) const = 0;
  const std::string& secret() const { return secret_; }

 private:
  Message single(const EventView& e) const;
  Message digest(std::span<const std::string_view> events, std::string& error) const;
  std::string channel_, secret_;
  std::shared_ptr<const Template> template_;
};

// A Kind's make for a message robot T: its optional template: is the message text (taken
// as it is: the robot's JSON is written around it).
template <class T>
std::shared_ptr<const Target> make_message_target(const Settings& settings, Problem& problem) {
  std::shared_ptr<const Template> text;
  if (const std::string* t = settings.get("template")) {
    if (!(text = Template::parse(*t, Escape::None, problem))) return nullptr;
  }
  return std::make_shared<T>(settings, text);
}

// HMAC-SHA256(key, message) as Base64 through the context's hmac; "***" when it has none
// (routes test, --dry-run show where a signature goes, never one).
std::string signature(const RenderContext& context, std::string_view key, std::string_view message);

// The verdict on an HTTP status other than 2xx, as every robot answers it: 429 throttled
// (its Retry-After held by the whole budget), 408 and 5xx but 501 retried, others failed.
// nullopt for a 2xx: the body decides.
std::optional<Judgement> judge_status(const Response& r);

// The verdict where the HTTP status alone decides (PagerDuty, a webhook, Slack): a 2xx is
// delivered; any other is judge_status's, with the reason reason() reads from the body (it
// may leave error_message empty) appended to the error.
Judgement judge_by_status(const Response& r, void (*reason)(std::string_view body, Judgement& j));

// A robot's JSON answer carrying a numeric code (DingTalk's and WeCom's errcode, Feishu's
// code) and a message: 0 delivered; a code in throttle_codes retried as throttled (the
// whole budget waits for its window); any other failed, "HTTP 200 errcode N: message".
Judgement judge_code(const Response& r, const char* code_key, const char* message_key,
                     std::initializer_list<int64_t> throttle_codes);

// The body as a string: out's body_text, written by w.
void use_json(rapidjson::StringBuffer& sb, Request& out);

// {"msgtype": "markdown", "markdown": {KEY: VALUE, ...}} as out's body: DingTalk's (title,
// text) and WeCom's (content) shape.
void use_markdown(std::initializer_list<std::pair<const char*, std::string_view>> fields, Request& out);

}  // namespace cmrelay::target
