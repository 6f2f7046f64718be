// DingTalk custom robot: {msgtype: markdown, markdown: {title, text}}. With secret:, each
// request's URL carries timestamp (ms) and sign = URL-encoded Base64 of
// HMAC-SHA256(key = secret, message = timestamp + "\n" + secret). HTTP 200 always: errcode
// 0 is sent, 130101 ("sending too fast") is retried after the budget's window, any other is
// refused with its errmsg. 20 messages a minute per robot.
#include <chrono>

#include "target/message.h"
#include "text/percent.h"

namespace cmrelay::target {
namespace {

class DingTalk final : public MessageTarget {
 public:
  using MessageTarget::MessageTarget;
  std::string_view kind() const override { return "dingtalk"; }
  Judgement judge(const Response& r) const override { return judge_code(r, "errcode", "errmsg", {130101}); }
  std::string default_rate(std::string_view) const override { return "20/m"; }

 protected:
  Dialect dialect() const override { return {"**", true, 18000}; }

  void wrap(const Message& m, std::string_view channel_url, const RenderContext& context, Request& out) const override {
    use_markdown({{"title", m.title}, {"text", m.text}}, out);
    if (secret().empty()) return;
    const std::string ms =
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(context.now.time_since_epoch()).count());
    std::string sign = signature(context, secret(), ms + "\n" + secret());
    out.url_text.assign(channel_url).append(channel_url.find('?') == std::string_view::npos ? "?" : "&");
    out.url_text.append("timestamp=")
        .append(ms)
        .append("&sign=")
        .append(sign == "***" ? sign : text::percent_encode(sign));
    out.use_url_text();
  }
};

}  // namespace

extern const Kind kDingTalkKind;
const Kind kDingTalkKind{"dingtalk", "", {{"secret", true}, {"template", false, true}}, make_message_target<DingTalk>};

}  // namespace cmrelay::target
