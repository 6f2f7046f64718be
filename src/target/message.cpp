#include "target/message.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <array>

#include "text/base64.h"

namespace cmrelay::target {
namespace {

constexpr size_t kMaxLine = 300;     // Bytes of one title in a digest.
constexpr size_t kHeaderRoom = 160;  // Bytes kept for a digest's first line.
constexpr size_t kMaxDescription = 2000;

// The statuses from the most severe; a status not among them ranks last.
constexpr std::array<std::string_view, 4> kRanks{"Critical", "Warning", "Info", "Ok"};

size_t rank(std::string_view status) {
  for (size_t i = 0; i < kRanks.size(); ++i) {
    if (kRanks[i] == status) return i;
  }
  return kRanks.size();
}

// The same status as a view of a constant (a Message outlives the events it was made of).
std::string_view constant(std::string_view status) { return rank(status) < kRanks.size() ? kRanks[rank(status)] : ""; }

// Text on one line: a title holding a newline must not start a line of its own.
std::string one_line(std::string_view s, size_t max_bytes) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  cut_bytes(out, max_bytes);
  return out;
}

std::string bold(const Dialect& d, std::string_view s) { return std::string(d.bold).append(s).append(d.bold); }

// The first line of a message: a heading where the robot renders one, else bold.
std::string first_line(const Dialect& d, std::string_view s) {
  return d.headings ? "### " + std::string(s) : bold(d, s);
}

}  // namespace

MessageTarget::MessageTarget(const Settings& settings, std::shared_ptr<const Template> text_template)
    : channel_(settings.channel), template_(std::move(text_template)) {
  if (const std::string* s = settings.get("secret")) secret_ = *s;
}

std::vector<std::string> MessageTarget::secrets() const {
  if (secret_.empty()) return {};
  return {secret_};
}

Message MessageTarget::single(const EventView& e) const {
  const Dialect d = dialect();
  Message m;
  m.events = 1;
  m.status = constant(e.status);
  m.title = "[" + std::string(status_word(e)) + "] " + one_line(e.title, kMaxLine);
  if (template_) {
    m.text = template_->render(e, channel_);
  } else {
    m.text = first_line(d, m.title) + "\n\n";
    if (e.recovery()) m.text += bold(d, "Recovered") + ": this alert is resolved.\n\n";
    if (std::string_view r = e.resource(); !r.empty())
      m.text += "- " + bold(d, "Resource") + ": " + one_line(r, kMaxLine) + "\n";
    m.text += "- " + bold(d, "Alert key") + ": " + one_line(e.alert_key, kMaxLine) + "\n";
    if (e.event_time != 0) m.text += "- " + bold(d, "Time") + ": " + iso_time(e.event_time) + "\n";
    if (!e.description.empty()) {
      std::string description = e.description;
      cut_bytes(description, kMaxDescription);
      m.text += "\n" + description + "\n";
    }
  }
  cut_bytes(m.text, d.max_text);
  return m;
}

Message MessageTarget::digest(std::span<const std::string_view> events, std::string& error) const {
  const Dialect d = dialect();
  Message m;
  std::string lines;
  std::array<size_t, kRanks.size() + 1> counts{};
  EventView e;
  for (std::string_view json : events) {
    if (!read_event(json, e)) {
      if (m.events == 0) error = "the event is not a Flashduty standard event";
      break;
    }
    std::string line = "- [" + std::string(status_word(e)) + "] " + one_line(e.title, kMaxLine);
    line += " (" + one_line(e.alert_key, kMaxLine) + ")\n";                            // Which alert: titles repeat.
    if (m.events > 0 && lines.size() + line.size() + kHeaderRoom > d.max_text) break;  // The rest wait.
    lines += line;
    ++counts[rank(e.status)];
    if (m.events == 0 || rank(e.status) < rank(m.status)) m.status = constant(e.status);
    ++m.events;
  }
  if (m.events == 0) return m;
  std::string tally;
  for (size_t i = 0; i < kRanks.size(); ++i) {
    if (counts[i] == 0) continue;
    tally += tally.empty() ? "" : ", ";
    tally += std::to_string(counts[i]) + " " + std::string(i == 3 ? "Resolved" : kRanks[i]);
  }
  m.title = std::to_string(m.events) + " alerts: " + tally;
  m.text = first_line(d, m.title) + "\n\n" + lines;
  cut_bytes(m.text, d.max_text);
  return m;
}

size_t MessageTarget::render(std::span<const std::string_view> events, std::string_view channel_url,
                             const RenderContext& context, Request& out, std::string& error) const {
  Message m;
  if (events.size() == 1) {
    EventView e;
    if (!read_event(events.front(), e)) {
      error = "the event is not a Flashduty standard event";
      return 0;
    }
    m = single(e);
  } else {
    m = digest(events, error);
    if (m.events == 0) return 0;
  }
  out.url = channel_url;
  wrap(m, channel_url, context, out);
  return m.events;
}

std::string signature(const RenderContext& context, std::string_view key, std::string_view message) {
  if (context.hmac == nullptr) return "***";
  return base64::encode(context.hmac(key, message));
}

std::optional<Judgement> judge_status(const Response& r) {
  if (r.status >= 200 && r.status <= 299) return std::nullopt;
  Judgement j;
  j.http_status = r.status;
  j.retry_after = r.retry_after;
  j.throttled = r.status == 429;
  j.budget_wait = r.status == 429 || r.status == 503;
  const bool retry = r.status == 408 || r.status == 429 || (r.status >= 500 && r.status <= 599 && r.status != 501);
  j.verdict = retry ? Verdict::Retry : Verdict::Fail;
  j.error = "HTTP " + std::to_string(r.status);
  if (r.status >= 300 && r.status <= 399) {
    j.error += ": redirects are not followed";
    if (!r.location.empty()) j.error.append(" (Location: ").append(r.location).append(")");
  }
  return j;
}

Judgement judge_by_status(const Response& r, void (*reason)(std::string_view body, Judgement& j)) {
  std::optional<Judgement> j = judge_status(r);
  if (!j) {
    j.emplace();
    j->http_status = r.status;
    j->verdict = Verdict::Delivered;
    return *j;
  }
  reason(r.body, *j);
  if (!j->error_message.empty()) j->error += ": " + j->error_message;
  return *j;
}

Judgement judge_code(const Response& r, const char* code_key, const char* message_key,
                     std::initializer_list<int64_t> throttle_codes) {
  if (std::optional<Judgement> j = judge_status(r)) return *j;
  Judgement j;
  j.http_status = r.status;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag>(r.body.data(), r.body.size());
  const rapidjson::Value* code = nullptr;
  if (!doc.HasParseError() && doc.IsObject()) {
    const rapidjson::Value& root = doc;
    auto c = root.FindMember(code_key);
    if (c != root.MemberEnd() && c->value.IsInt64()) code = &c->value;
    auto msg = root.FindMember(message_key);
    if (msg != root.MemberEnd() && msg->value.IsString())
      j.error_message.assign(msg->value.GetString(), msg->value.GetStringLength());
  }
  if (code == nullptr) {
    j.verdict = Verdict::Fail;
    j.error = "HTTP " + std::to_string(r.status) + ": the answer has no " + code_key;
    return j;
  }
  const int64_t n = code->GetInt64();
  if (n == 0) {
    j.verdict = Verdict::Delivered;
    return j;
  }
  j.error_code = std::to_string(n);
  j.throttled = std::find(throttle_codes.begin(), throttle_codes.end(), n) != throttle_codes.end();
  j.budget_wait = j.throttled;
  j.verdict = j.throttled ? Verdict::Retry : Verdict::Fail;
  j.error = "HTTP " + std::to_string(r.status) + " " + code_key + " " + j.error_code;
  if (!j.error_message.empty()) j.error += ": " + j.error_message;
  return j;
}

void use_json(rapidjson::StringBuffer& sb, Request& out) {
  out.body_text.assign(sb.GetString(), sb.GetSize());
  out.use_body_text();
}

void use_markdown(std::initializer_list<std::pair<const char*, std::string_view>> fields, Request& out) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("msgtype");
  w.String("markdown");
  w.Key("markdown");
  w.StartObject();
  for (const auto& [key, value] : fields) {
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  w.EndObject();
  w.EndObject();
  use_json(sb, out);
}

}  // namespace cmrelay::target
