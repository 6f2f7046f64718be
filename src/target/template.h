// A channel's template: Mustache (kainjow's, a Debian package), rendered with one event.
// Names are the event's fields (event_status, title_rule, alert_key, description,
// event_time, labels, and dotted paths into them: {{labels.resource}}), plus channel,
// time (event_time as ISO 8601 UTC), resolved (true on a recovery: {{#resolved}}...{{/resolved}})
// and label_list ({{#label_list}}{{name}}={{value}}{{/label_list}}). {{x}} inserts the value
// escaped for the body's syntax (JSON: quotes, backslashes, control characters; a form: percent-
// encoded; else as it is); {{{x}}} and {{& x}} insert it raw.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "target/event_view.h"
#include "target/kinds.h"

namespace kainjow::mustache {
template <typename StringType>
class basic_mustache;
}

namespace cmrelay::target {

enum class Escape { Json, Form, None };

// The escaping a body of this content type needs: Json for application/json and any
// "+json"; Form for application/x-www-form-urlencoded; else None.
Escape escape_for(std::string_view content_type);

class Template {
 public:
  // Parses text; nullptr with problem set (key "template", the line and column within the
  // text, and what is wrong) when it does not parse.
  static std::shared_ptr<const Template> parse(const std::string& text, Escape escape, Problem& problem);
  ~Template();

  // The text rendered for event e sent to channel.
  std::string render(const EventView& e, std::string_view channel) const;

 private:
  explicit Template(std::unique_ptr<kainjow::mustache::basic_mustache<std::string>> m);
  // kainjow's render() is not const: one render at a time (routes test renders on threads).
  mutable std::mutex mutex_;
  std::unique_ptr<kainjow::mustache::basic_mustache<std::string>> m_;
};

}  // namespace cmrelay::target
