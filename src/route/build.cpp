// Route file tree -> Model, reporting every problem with its line.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <initializer_list>
#include <limits>
#include <optional>

#include "route/env.h"
#include "route/model.h"
#include "text/ascii.h"
#include "text/duration.h"
#include "text/escape.h"

namespace cmrelay::route {
namespace {

// An RFC 9110 token: what a header name may be.
bool header_name(std::string_view name) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           kSymbols.find(c) != std::string_view::npos;
  });
}

// A header value without CR, LF, NUL or another control character (tab aside): each of
// them would end the header line, or let a server read one, and so inject headers.
bool header_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    auto b = static_cast<unsigned char>(c);
    return (b < 0x20 && b != '\t') || b == 0x7f;
  });
}

class Builder {
 public:
  Builder(Model& m, std::vector<Finding>& errors, const std::function<const char*(const std::string&)>& env)
      : m_(m), errors_(errors), env_(env) {}

  void root(const Node& n, const FlashdutyRoute& flashduty) {
    if (n.kind == Node::Null) return error(n.line, "the route file is empty");
    if (!expect(n, Node::Map, "the route file")) return;
    // Flashduty's own route keys are accepted (and ignored) beside cmrelay's, so that a
    // /route/info body with channels: added loads as is.
    known(n, {"channels", "cases", "default", "severity"}, "the route file",
          {"data_source_id", "flashduty_route", "integration_id", "sections", "version", "status", "creator_id",
           "updated_by", "created_at", "updated_at"});
    if (const Node* c = section(n, "channels")) channels(*c);
    if (const Node* s = section(n, "severity")) {
      extension(s->key_line, "the severity: table");
      severity(*s);
    }
    if (const std::string* id = text(n, "data_source_id", "the route file")) m_.data_source_id = *id;
    if (flashduty.root == nullptr && n.member("channels") == nullptr && n.member("integration_id") != nullptr) {
      return error(n.member("integration_id")->key_line,
                   "a Flashduty route needs a channel map: a YAML file with flashduty_route: naming this file and "
                   "channels: giving each channel id its url (see cmrelay(1), ROUTE FILE)");
    }
    if (flashduty.root == nullptr) return routes(n);
    if (n.member("cases") != nullptr || n.member("default") != nullptr) {
      const Node* here = n.member("cases") != nullptr ? n.member("cases") : n.member("default");
      return error(here->key_line, "cases and default come from the Flashduty route " + flashduty.path +
                                       " (flashduty_route): remove them here");
    }
    file_ = flashduty.path;
    flashduty_root(*flashduty.root);
    file_.clear();
  }

 private:
  // An empty section (`cases:` with nothing under it) is the same as none.
  static const Node* section(const Node& n, const char* key) {
    const Node* s = n.member(key);
    return s != nullptr && s->kind != Node::Null ? s : nullptr;
  }

  void routes(const Node& n) {
    if (const Node* c = section(n, "cases")) cases(*c);
    if (const Node* d = n.member("default")) default_route(*d);
  }

  // Flashduty's /route/info body: the route itself, or the API's {request_id, data} around it.
  void flashduty_root(const Node& body) {
    const Node* n = &body;
    if (n->kind == Node::Map && n->member("data") != nullptr && n->member("cases") == nullptr) {
      if (const Node* e = n->member("error")) return error(e->key_line, "the Flashduty route is an API error response");
      n = n->member("data");
    }
    if (n->kind == Node::Null) return error(n->line, "the Flashduty route is empty");
    if (!expect(*n, Node::Map, "the Flashduty route")) return;
    known(*n,
          {"integration_id", "cases", "sections", "default", "version", "status", "creator_id", "updated_by",
           "created_at", "updated_at"},
          "the Flashduty route");
    routes(*n);
  }

  void error(int line, std::string message) { errors_.emplace_back(line, std::move(message), false, file_); }

  // Something cmrelay reads that Flashduty's route would not accept: a warning for routes check.
  void extension(int line, const std::string& what) {
    m_.extensions.emplace_back(line, "extension: " + what + " (Flashduty's route would not accept it)", true, file_);
  }

  bool expect(const Node& n, Node::Kind kind, const std::string& what) {
    if (n.kind == kind) return true;
    static const char* kNames[] = {"nothing", "a value", "a list", "a mapping"};
    error(n.line, what + " must be " + kNames[kind] + ", not " + kNames[n.kind]);
    return false;
  }

  // Every key of map is one of keys (named when one is not) or of quiet (Flashduty's keys,
  // accepted without being listed).
  void known(const Node& map, std::initializer_list<const char*> keys, const std::string& where,
             std::initializer_list<const char*> quiet = {}) {
    for (const Node& m : map.items) {
      if (map.member(m.key) != &m) error(m.key_line, "key '" + m.key + "' appears twice in " + where);
      bool ok = false;
      std::string list;
      for (const char* k : keys) {
        ok |= m.key == k;
        list += list.empty() ? "" : ", ";
        list += k;
      }
      for (const char* k : quiet) ok |= m.key == k;
      if (!ok) {
        std::string what = "unknown key '";
        what.append(m.key).append("' in ").append(where).append(" (known: ").append(list).append(")");
        error(m.key_line, what);
      }
    }
  }

  // A scalar member's text, or nullptr when absent or null (after an error when it has the
  // wrong shape).
  const std::string* text(const Node& map, const char* key, const std::string& where) {
    const Node* n = map.member(key);
    if (n == nullptr || n->kind == Node::Null) return nullptr;
    return expect(*n, Node::Scalar, std::string(key) + " in " + where) ? &n->text : nullptr;
  }

  // n's text with ${VAR} expanded; ok is false (after an error) when a variable is undefined.
  std::string expanded(const Node& n, const std::string& what, bool* ok = nullptr) {
    std::string out, why;
    bool done = expand_env(n.text, out, why, env_);
    if (!done) error(n.line, what + ": " + why);
    if (ok != nullptr) *ok = done;
    return out;
  }

  void channels(const Node& n) {
    if (!expect(n, Node::Map, "channels")) return;
    for (const Node& c : n.items) {
      std::string where = "channel '" + c.key + "'";
      if (m_.by_name.count(c.key) != 0) error(c.key_line, where + " is declared twice");
      if (!expect(c, Node::Map, where)) continue;
      known(c, {"url", "headers", "timeout", "id", "redact", "rate"}, where);
      Channel ch;
      ch.name = c.key;
      if (const Node* url = c.member("url"); url != nullptr && expect(*url, Node::Scalar, "url of " + where)) {
        bool ok = false;
        ch.url = expanded(*url, "url of " + where, &ok);
        if (ok && ch.url.empty()) {
          error(url->line, "url of " + where + " is empty" + (url->text.empty() ? "" : " (after ${VAR} expansion)"));
        } else if (std::string why;
                   ok && ch.url.find("<unset:") == std::string::npos && !check_channel_url(ch.url, why)) {
          // What send would refuse (a placeholder for an unset variable, in routes test, is not checked).
          error(url->line, "url of " + where + ": " + why);
        }
      } else if (url == nullptr) {
        error(c.line, where + " has no url");
      }
      if (const Node* h = c.member("headers"); h != nullptr && expect(*h, Node::Map, "headers of " + where)) {
        for (const Node& v : h->items) {
          if (const Node* before = first_same_name(*h, v)) {
            error(v.key_line, "header '" + v.key + "' of " + where + " is given twice (as '" + before->key +
                                  "' on line " + std::to_string(before->key_line) + "; header names ignore case)");
          }
          if (!header_name(v.key)) {
            error(v.key_line, "header name '" + text::escape(v.key) + "' of " + where +
                                  " is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)");
          }
          if (expect(v, Node::Scalar, "header " + v.key + " of " + where)) {
            bool ok = false;
            std::string value = expanded(v, "header " + v.key + " of " + where, &ok);
            if (ok && !header_value(value)) {
              // Never the value itself: it may hold a secret.
              error(v.line, "header " + text::escape(v.key) + " of " + where + " holds a control character (CR, LF, " +
                                "NUL...)" + (v.text == value ? "" : " after ${VAR} expansion") +
                                ": it would end the header and add request headers of its own");
            }
            ch.headers.emplace_back(v.key, std::move(value));
          }
        }
      }
      if (const Node* r = c.member("redact"); r != nullptr && expect(*r, Node::Map, "redact of " + where)) {
        ch.redact = redact(*r, "redact of " + where);
      }
      if (const std::string* t = text(c, "timeout", where)) ch.timeout = timeout(*t, c.member("timeout")->line, where);
      if (const Node* r = c.member("rate")) rate(*r, ch, where);
      if (const std::string* id = text(c, "id", where)) {
        ch.id = normal_id(*id);
        if (id->empty() || id->find_first_not_of("0123456789") != std::string::npos) {
          error(c.member("id")->line, "id of " + where + " must be a number, not '" + *id + "'");
        }
        for (const Channel& other : m_.channels) {
          if (other.id == ch.id)
            error(c.member("id")->line, "channel id " + ch.id + " is used by '" + other.name + "' too");
        }
      }
      m_.by_name.emplace(ch.name, m_.channels.size());
      m_.channels.push_back(std::move(ch));
      m_.channel_lines.push_back(c.key_line);
    }
  }

  // redact: {query: [name, ...], path: true}: what the channel's URL hides beyond the rule.
  SecretParts redact(const Node& r, const std::string& where) {
    SecretParts parts;
    known(r, {"query", "path"}, where);
    if (const Node* q = r.member("query"); q != nullptr && expect(*q, Node::Seq, "query of " + where)) {
      for (const Node& name : q->items) {
        if (expect(name, Node::Scalar, "a query name of " + where) && !name.text.empty())
          parts.query.push_back(name.text);
      }
    }
    if (const std::string* p = text(r, "path", where)) {
      if (*p != "true" && *p != "false") error(r.member("path")->line, "path of " + where + " must be true or false");
      parts.path = *p == "true";
    }
    return parts;
  }

  // rate: 100/s, rate: [100/s, 1000/m], or rate: none.
  void rate(const Node& n, Channel& ch, const std::string& where) {
    std::string text;
    if (n.kind == Node::Seq) {
      for (const Node& v : n.items) {
        if (!expect(v, Node::Scalar, "each rate of " + where)) return;
        text += text.empty() ? "" : ",";
        text += v.text;
      }
    } else if (expect(n, Node::Scalar, "rate of " + where)) {
      text = n.text;
    } else {
      return;
    }
    std::string why;
    ch.rate_set = true;
    if (!parse_rates(text, ch.rate, why)) error(n.line, "rate of " + where + ": " + why);
  }

  // The command line's grammar (text/duration.h): "500ms", "5s", "2m", "1h", a bare number of seconds.
  std::chrono::milliseconds timeout(const std::string& t, int line, const std::string& where) {
    std::string why;
    std::optional<std::chrono::milliseconds> d = text::parse_duration(t, why);
    if (d && d->count() > 0) return *d;
    error(line, "timeout of " + where + (d ? " must be longer than 0, not '" + text::escape(t) + "'" : ": " + why));
    return std::chrono::milliseconds(0);
  }

  void severity(const Node& n) {
    if (!expect(n, Node::Map, "severity")) return;
    for (const Node& v : n.items) {
      std::optional<Vendor> vendor = parse_alert_vendor(v.key);
      if (!vendor) {
        error(v.key_line, "unknown vendor '" + v.key + "' in severity (known: " + vendor_names() + ")");
        continue;
      }
      if (const Node* before = first_same_name(n, v)) {
        error(v.key_line,
              "vendor '" + v.key + "' appears twice in severity (line " + std::to_string(before->key_line) + ")");
        continue;
      }
      if (!expect(v, Node::Map, "severity." + v.key)) continue;
      for (const Node& level : v.items) {
        if (const Node* before = first_same_name(v, level)) {
          error(level.key_line, "level '" + level.key + "' appears twice in severity." + v.key + " (line " +
                                    std::to_string(before->key_line) + ")");
          continue;
        }
        std::optional<Status> s = level.kind == Node::Scalar ? parse_status(level.text) : std::nullopt;
        if (!s) {
          error(level.line, "severity." + v.key + "." + level.key + " must be Critical, Warning, Info or Ok");
          continue;
        }
        m_.severity.set(*vendor, level.key, *s);
      }
    }
  }

  void cases(const Node& n) {
    if (!expect(n, Node::Seq, "cases")) return;
    for (const Node& c : n.items) {
      Case k;
      k.line = c.line;
      k.name = "case " + std::to_string(m_.cases.size() + 1);
      if (expect(c, Node::Map, k.name)) {
        if (const std::string* name = text(c, "name", k.name)) {
          k.name = *name;
          extension(c.member("name")->key_line, "a case name");
        }
        known(c, {"name", "if", "channels", "channel_ids", "channel_from", "fallthrough"}, k.name,
              {"routing_mode", "name_mapping_label"});
        if (const Node* conds = c.member("if");
            conds != nullptr && conds->kind != Node::Null && expect(*conds, Node::Seq, "if of " + k.name)) {
          for (const Node& cond : conds->items) condition(cond, k);
        }
        targets(c, k.channels, k.name);
        named_channels(c, k.name);
        if (text(c, "channel_from", k.name) != nullptr) extension(c.member("channel_from")->key_line, "channel_from");
        name_mapping(c, k);
        if (const std::string* f = text(c, "fallthrough", k.name)) {
          if (*f != "true" && *f != "false") error(c.member("fallthrough")->line, "fallthrough must be true or false");
          k.fallthrough = *f == "true";
        }
      }
      m_.cases.push_back(std::move(k));
    }
  }

  // channel_from: labels.X, or Flashduty's routing_mode: name_mapping with
  // name_mapping_label: labels.X.
  void name_mapping(const Node& c, Case& k) {
    const char* key = "channel_from";
    const std::string* from = text(c, "channel_from", k.name);
    if (const std::string* mode = text(c, "routing_mode", k.name)) {
      if (*mode == "name_mapping") {
        const std::string* label = text(c, "name_mapping_label", k.name);
        if (label == nullptr || from != nullptr) {
          return error(c.member("routing_mode")->line,
                       "routing_mode name_mapping of " + k.name + " needs name_mapping_label (and no channel_from)");
        }
        from = label;
        key = "name_mapping_label";
      } else if (*mode != "standard" && !mode->empty()) {
        error(c.member("routing_mode")->line, "routing_mode must be standard or name_mapping, not '" + *mode + "'");
      }
    }
    if (from == nullptr) return;
    k.channel_from_line = c.member(key)->line;
    if (!from->starts_with("labels.") || from->size() == 7) {
      error(k.channel_from_line, std::string(key) + " of " + k.name + " must be labels.<name>, not '" + *from + "'");
    }
    k.channel_from = from->substr(std::min<size_t>(7, from->size()));
  }

  void condition(const Node& n, Case& k) {
    std::string where = "a condition of " + k.name;
    const bool broken_before = k.broken;
    k.broken = true;  // Until it is read whole.
    if (!expect(n, Node::Map, where)) return;
    known(n, {"key", "oper", "vals"}, where);
    Condition c;
    c.line = n.line;
    const std::string* key = text(n, "key", where);
    const std::string* oper = text(n, "oper", where);
    const Node* vals = n.member("vals");
    // An absent or blank vals is a slip, not "match nothing" (or, with NOTIN, "everything"):
    // the empty list must be written out.
    if (key == nullptr || oper == nullptr || vals == nullptr || vals->kind == Node::Null) {
      return error(n.line, where + " needs key, oper and vals (vals: [] for an empty list)");
    }
    if (*key == "severity" || *key == "alert_severity" || *key == "incident_severity") {
      c.field = Field::Severity;  // Flashduty's legacy keys mean severity.
    } else if (*key == "status") {
      c.field = Field::Status;
      extension(n.member("key")->line, "the key status");
    } else if (*key == "data_source_id") {
      c.field = Field::DataSource;
      c.label = m_.data_source_id;
      if (m_.data_source_id.empty()) {
        error(n.member("key")->line, "data_source_id in " + k.name +
                                         " compares the Flashduty integration an event "
                                         "came through, which cmrelay cannot know: give data_source_id: N at the top "
                                         "of the route file (the integration these events stand for)");
      }
    } else if (*key == "title") {
      c.field = Field::Title;
    } else if (*key == "description") {
      c.field = Field::Description;
    } else if (key->starts_with("labels.") && key->size() > 7) {
      c.label = key->substr(7);
    } else {
      error(n.member("key")->line,
            "key must be severity, status, title, description or labels.<name>, not '" + *key + "'");
    }
    if (*oper != "IN" && *oper != "NOTIN") {
      error(n.member("oper")->line, "oper must be IN or NOTIN, not '" + *oper + "'");
    }
    c.notin = *oper == "NOTIN";
    c.text = *key + " " + *oper + " [";
    const bool listed = expect(*vals, Node::Seq, "vals");
    if (listed) {
      for (const Node& v : vals->items) {
        if (!expect(v, Node::Scalar, "each value in vals")) continue;
        std::string why;
        if (!c.vals.emplace_back().compile(v.text, why)) error(v.line, why);
        if (c.vals.back().kind() == Matcher::Wildcard && has_escape(v.text)) {
          extension(v.line, "a wildcard escape in '" + v.text + "'");
        }
        c.text += c.vals.size() > 1 ? ", " : "";
        c.text += v.text;
      }
    }
    c.text += "]";
    c.slot = slot(c.field, c.label);
    for (Matcher& v : c.vals) {
      if (v.kind() != Matcher::Regex) continue;
      std::unique_ptr<RegexSet>& set = m_.keys[c.slot].regexes;
      if (!set) set = std::make_unique<RegexSet>();
      v.join(*set);
    }
    k.conditions.push_back(std::move(c));
    k.broken = broken_before || !listed;
  }

  size_t slot(Field field, const std::string& label) {
    for (size_t i = 0; i < m_.keys.size(); ++i) {
      if (m_.keys[i].field == field && m_.keys[i].label == label) return i;
    }
    m_.keys.push_back({field, label, nullptr});
    return m_.keys.size() - 1;
  }

  // channels: [names] and channel_ids: [ids] of a case or the default.
  void targets(const Node& n, std::vector<size_t>& out, const std::string& where) {
    auto each = [&](const char* key, auto resolve) {
      const Node* list = n.member(key);
      if (list == nullptr || list->kind == Node::Null || !expect(*list, Node::Seq, std::string(key) + " of " + where))
        return;
      for (const Node& v : list->items) {
        if (!expect(v, Node::Scalar, std::string(key) + " of " + where)) continue;
        std::optional<size_t> i = resolve(v.text);
        if (!i) continue;
        bool seen = false;
        for (size_t o : out) seen |= o == *i;
        if (!seen) out.push_back(*i);
      }
    };
    each("channels", [&](const std::string& name) -> std::optional<size_t> {
      auto it = m_.by_name.find(name);
      if (it != m_.by_name.end()) return it->second;
      error(line_of(n, "channels", name),
            "channel '" + name + "' used by " + where + " is not declared under channels");
      return std::nullopt;
    });
    each("channel_ids", [&](const std::string& id) -> std::optional<size_t> {
      for (size_t i = 0; i < m_.channels.size(); ++i) {
        if (!m_.channels[i].id.empty() && m_.channels[i].id == normal_id(id)) return i;
      }
      error(line_of(n, "channel_ids", id),
            "channel id " + id + " used by " + where + " is not declared under channels (id: " + id + ")");
      return std::nullopt;
    });
  }

  // The member of map before m whose key is m's in another case, or nullptr (header names,
  // vendors and severity levels ignore case).
  static const Node* first_same_name(const Node& map, const Node& m) {
    for (const Node& before : map.items) {
      if (&before == &m) return nullptr;
      if (text::iequals(before.key, m.key)) return &before;
    }
    return nullptr;
  }

  // A channel id without leading zeros ("05" and "5" are one channel); other text unchanged.
  static std::string normal_id(const std::string& id) {
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) return id;
    size_t nonzero = id.find_first_not_of('0');
    return nonzero == std::string::npos ? "0" : id.substr(nonzero);
  }

  static int line_of(const Node& n, const char* key, const std::string& value) {
    for (const Node& v : n.member(key)->items) {
      if (v.text == value) return v.line;
    }
    return n.line;
  }

  void default_route(const Node& n) {
    m_.default_line = n.key_line;
    if (n.kind == Node::Null || !expect(n, Node::Map, "default")) return;
    known(n, {"channels", "channel_ids"}, "default");
    targets(n, m_.default_channels, "default");
    named_channels(n, "default");
  }

  // Cases and the default name channels by id in Flashduty.
  void named_channels(const Node& n, const std::string& where) {
    const Node* list = n.member("channels");
    if (list != nullptr && list->kind != Node::Null) extension(list->key_line, "channels by name in " + where);
  }

  // \*, \? or \\: cmrelay's wildcard escapes.
  static bool has_escape(const std::string& v) {
    for (size_t i = 0; i + 1 < v.size(); ++i) {
      if (v[i] == '\\' && (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\')) return true;
    }
    return false;
  }

  Model& m_;
  std::vector<Finding>& errors_;
  const std::function<const char*(const std::string&)>& env_;
  std::string file_;  // Errors found in a Flashduty route are in that file.
};

}  // namespace

void build_model(const Node& root, Model& m, std::vector<Finding>& errors,
                 const std::function<const char*(const std::string&)>& env, const FlashdutyRoute& flashduty) {
  Builder(m, errors, env).root(root, flashduty);
  for (Key& k : m.keys) {
    if (k.regexes) k.regexes->compile();
  }
}

}  // namespace cmrelay::route
