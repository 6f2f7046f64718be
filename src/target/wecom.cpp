// WeCom (WeChat Work) group robot: {msgtype: markdown, markdown: {content}}, content within
// WeCom's 4096 bytes. errcode 0 is sent, 45009 (over the limit) is retried after the
// budget's window, any other is refused with its errmsg. The key is in the URL (key=...).
// 20 messages a minute per robot.
#include "target/message.h"

namespace cmrelay::target {
namespace {

class WeCom final : public MessageTarget {
 public:
  using MessageTarget::MessageTarget;
  std::string_view kind() const override { return "wecom"; }
  Judgement judge(const Response& r) const override { return judge_code(r, "errcode", "errmsg", {45009}); }
  std::string default_rate(std::string_view) const override { return "20/m"; }

 protected:
  Dialect dialect() const override { return {"**", true, 4096}; }

  void wrap(const Message& m, std::string_view, const RenderContext&, Request& out) const override {
    use_markdown({{"content", m.text}}, out);
  }
};

}  // namespace

extern const Kind kWeComKind;
const Kind kWeComKind{"wecom", "", {{"template", false, true}}, make_message_target<WeCom>};

}  // namespace cmrelay::target
