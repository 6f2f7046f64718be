#include "target/template.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <kainjow/mustache.hpp>

#include "text/ascii.h"
#include "text/percent.h"

namespace cmrelay::target {
namespace {

using Data = kainjow::mustache::data;

std::string json_escape(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 8);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out.append("\\u00").append(1, kHex[c >> 4]).append(1, kHex[c & 0xF]);
        } else {
          out += ch;
        }
    }
  }
  return out;
}

// kainjow's "Unclosed tag at 12": the offset, as a 1-based line and column of text, and the
// message without it ("unclosed tag").
void locate(const std::string& text, const std::string& message, Problem& p) {
  p.key = "template";
  p.message = message;
  size_t at = message.rfind(" at ");
  size_t offset = 0;
  if (at != std::string::npos &&
      std::from_chars(message.data() + at + 4, message.data() + message.size(), offset).ec == std::errc()) {
    p.message = message.substr(0, at);
    offset = std::min(offset, text.size());
    p.line = 1;
    p.column = 1;
    for (size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++p.line;
        p.column = 1;
      } else {
        ++p.column;
      }
    }
  }
  if (!p.message.empty()) p.message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(p.message[0])));
}

}  // namespace

Escape escape_for(std::string_view content_type) {
  std::string_view type = text::trim(content_type.substr(0, content_type.find(';')));
  const bool plus_json = type.size() > 5 && text::iequals(type.substr(type.size() - 5), "+json");
  if (text::iequals(type, "application/json") || plus_json) return Escape::Json;
  if (text::iequals(type, "application/x-www-form-urlencoded")) return Escape::Form;
  return Escape::None;
}

Template::Template(std::unique_ptr<kainjow::mustache::mustache> m) : m_(std::move(m)) {}

Template::~Template() = default;

std::shared_ptr<const Template> Template::parse(const std::string& text, Escape escape, Problem& problem) {
  auto m = std::make_unique<kainjow::mustache::mustache>(text);
  if (!m->is_valid()) {
    locate(text, m->error_message(), problem);
    return nullptr;
  }
  if (escape == Escape::Json) {
    m->set_custom_escape(json_escape);
  } else if (escape == Escape::Form) {
    m->set_custom_escape([](const std::string& s) { return text::percent_encode(s); });
  } else {
    m->set_custom_escape([](const std::string& s) { return s; });
  }
  return std::shared_ptr<const Template>(new Template(std::move(m)));
}

std::string Template::render(const EventView& e, std::string_view channel) const {
  Data d;
  d.set("event_status", e.status);
  d.set("title_rule", e.title);
  d.set("alert_key", e.alert_key);
  d.set("description", e.description);
  d.set("event_time", e.event_time == 0 ? std::string() : std::to_string(e.event_time));
  d.set("time", iso_time(e.event_time));
  d.set("channel", std::string(channel));
  d.set("resolved", e.recovery() ? Data::type::bool_true : Data::type::bool_false);
  Data labels;
  Data list{Data::type::list};
  for (const auto& [k, v] : e.labels) {
    labels.set(k, v);
    Data pair;
    pair.set("name", k);
    pair.set("value", v);
    list.push_back(pair);
  }
  d.set("labels", labels);
  d.set("label_list", list);
  std::lock_guard<std::mutex> lock(mutex_);
  return m_->render(d);
}

}  // namespace cmrelay::target
