// Slack incoming webhook: {text, blocks} (a header block and a mrkdwn section). 200 "ok" is
// sent; 429 waits for its Retry-After (the whole webhook); other answers are refused with
// Slack's word for why (invalid_payload, no_service...). The URL's path is the secret.
// About one message a second per webhook.
#include "target/message.h"

namespace cmrelay::target {
namespace {

constexpr size_t kMaxHeader = 150;  // Slack's limit for a header block's text.

class Slack final : public MessageTarget {
 public:
  using MessageTarget::MessageTarget;
  std::string_view kind() const override { return "slack"; }
  std::string default_rate(std::string_view) const override { return "1/s"; }

  Judgement judge(const Response& r) const override {
    return judge_by_status(r, [](std::string_view body, Judgement& j) {
      // Slack says why in a word, as the body: "invalid_payload", "no_service".
      std::string_view word = body.substr(0, 200);
      if (word.find_first_of("{<\n") == std::string_view::npos) j.error_message = word;
    });
  }

 protected:
  Dialect dialect() const override { return {"*", false, 2900}; }

  void wrap(const Message& m, std::string_view, const RenderContext&, Request& out) const override {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
    std::string header = m.title;
    cut_bytes(header, kMaxHeader);
    w.StartObject();
    w.Key("text");
    str(m.title);
    w.Key("blocks");
    w.StartArray();
    w.StartObject();
    w.Key("type");
    w.String("header");
    w.Key("text");
    w.StartObject();
    w.Key("type");
    w.String("plain_text");
    w.Key("text");
    str(header);
    w.EndObject();
    w.EndObject();
    w.StartObject();
    w.Key("type");
    w.String("section");
    w.Key("text");
    w.StartObject();
    w.Key("type");
    w.String("mrkdwn");
    w.Key("text");
    str(m.text);
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.EndObject();
    use_json(sb, out);
  }
};

}  // namespace

extern const Kind kSlackKind;
const Kind kSlackKind{"slack", "", {{"template", false, true}}, make_message_target<Slack>};

}  // namespace cmrelay::target
