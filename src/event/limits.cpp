#include "event/limits.h"

#include "text/utf8.h"

namespace cmrelay {
namespace {

void note(std::string& out, std::string_view what) {
  if (!out.empty()) out += ", ";
  out += what;
}

}  // namespace

bool defuse_template(Event& e) {
  if (!e.title.starts_with("[TPL]")) return false;
  e.title[0] = '(';
  e.title[4] = ')';
  return true;
}

std::string enforce_limits(Event& e) {
  std::string cut;
  if (utf8::truncate(e.title, Limits::kTitle)) note(cut, "title_rule cut to 512 characters");
  if (utf8::truncate(e.alert_key, Limits::kAlertKey)) note(cut, "alert_key cut to 255 characters");
  if (utf8::truncate(e.description, Limits::kDescription)) {
    note(cut, "description cut to 2048 characters");
  }
  if (e.labels.size() > Limits::kLabels) {
    note(cut, std::to_string(e.labels.size() - Limits::kLabels + e.labels.refused()) + " labels dropped (50 max)");
    e.labels.erase_from(Limits::kLabels);
  }
  for (size_t i = 0; i < e.labels.size(); ++i) {
    const Label& l = e.labels[i];
    if (l.key.size() > Limits::kLabelKey && e.labels.cut_key(i, Limits::kLabelKey)) {
      note(cut, "label key " + l.key.substr(0, 32) + "... cut to 128 characters");
      bool taken = false;
      for (size_t j = 0; j < i && !taken; ++j) taken = e.labels[j].key == l.key;
      if (taken) {
        // Cut short, it names an earlier label: the first one keeps the key.
        e.labels.erase(i--);
        continue;
      }
    }
    if (l.value.size() > Limits::kLabelValue && utf8::truncate(e.labels.value(i), Limits::kLabelValue)) {
      note(cut, "label " + l.key + " cut to 2048 characters");
    }
  }
  return cut;
}

}  // namespace cmrelay
