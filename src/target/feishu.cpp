// Feishu (Lark) custom bot: an interactive card whose header is coloured by severity. With
// secret:, the body carries timestamp (s) and sign = Base64 of HMAC-SHA256(key = timestamp
// + "\n" + secret, message = empty). code 0 is sent; 9499 ("too many request") and 11232
// are rate limits, retried after the budget's window; any other code is refused with its
// msg. 100 messages a minute and 5 a second per bot.
#include <chrono>

#include "target/message.h"

namespace cmrelay::target {
namespace {

std::string_view colour(std::string_view status) {
  if (status == "Critical") return "red";
  if (status == "Warning") return "orange";
  if (status == "Ok") return "green";
  return "blue";
}

class Feishu final : public MessageTarget {
 public:
  using MessageTarget::MessageTarget;
  std::string_view kind() const override { return "feishu"; }
  Judgement judge(const Response& r) const override { return judge_code(r, "code", "msg", {9499, 11232}); }
  std::string default_rate(std::string_view) const override { return "5/s,100/m"; }

 protected:
  Dialect dialect() const override { return {"**", false, 20000}; }

  void wrap(const Message& m, std::string_view, const RenderContext& context, Request& out) const override {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
    w.StartObject();
    if (!secret().empty()) {
      const std::string ts =
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(context.now.time_since_epoch()).count());
      w.Key("timestamp");
      str(ts);
      w.Key("sign");
      str(signature(context, ts + "\n" + secret(), ""));
    }
    w.Key("msg_type");
    w.String("interactive");
    w.Key("card");
    w.StartObject();
    w.Key("header");
    w.StartObject();
    w.Key("title");
    w.StartObject();
    w.Key("tag");
    w.String("plain_text");
    w.Key("content");
    str(m.title);
    w.EndObject();
    w.Key("template");
    str(colour(m.status));
    w.EndObject();
    w.Key("elements");
    w.StartArray();
    w.StartObject();
    w.Key("tag");
    w.String("markdown");
    w.Key("content");
    str(m.text);
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.EndObject();
    use_json(sb, out);
  }
};

}  // namespace

extern const Kind kFeishuKind;
const Kind kFeishuKind{"feishu", "", {{"secret", true}, {"template", false, true}}, make_message_target<Feishu>};

}  // namespace cmrelay::target
