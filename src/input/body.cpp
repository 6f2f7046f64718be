#include "input/body.h"

#include <utility>

#include "input/form.h"
#include "text/utf8.h"

namespace cmrelay {

size_t BodyReader::parse_first(std::string_view bytes, char* scratch, size_t& read) {
  read = 0;
  in_place_ = parser_.parse_first(bytes, scratch, read);
  return in_place_ != nullptr ? read : 0;
}

json::Value* BodyReader::read(const Record& rec, std::string& error) {
  warning_.clear();
  if (rec.kind == BodyKind::Form) return read_form(rec.body, error);
  json::Value* body =
      rec.parsed && in_place_ != nullptr ? std::exchange(in_place_, nullptr) : parser_.parse(rec.body, error);
  // Nearly every body's parse saw no object that may hold a name twice: nothing to walk.
  return body != nullptr && parser_.names_may_repeat() ? resolve_duplicates(body, "key") : body;
}

json::Value* BodyReader::resolve_duplicates(json::Value* body, const char* what) {
  if (body == nullptr) return body;
  const std::string name = duplicates_.resolve(*body, parser_.allocator());
  if (!name.empty()) {
    // One warning per body is enough to send someone to look at it.
    if (warning_.empty()) warning_ = std::string("duplicate ") + what + " '" + name + "': the first one is used";
  }
  return body;
}

json::Value* BodyReader::read_form(std::string_view body, std::string& error) {
  // A JSON body sent with a form Content-Type (curl -d does that): its fields would be
  // nonsense, and "unknown shape" would send someone looking in the wrong place.
  const size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (body[first] == '{' || body[first] == '[')) {
    error =
        "the body was read as application/x-www-form-urlencoded (its Content-Type) but looks like JSON: "
        "send it with Content-Type: application/json";
    return nullptr;
  }
  json::Value& root = parser_.reset();
  json::Allocator& alloc = parser_.allocator();
  root.SetObject();
  error.clear();
  form::decode(body, [&](std::string_view name, std::string_view value) {
    if (!error.empty()) return;
    size_t bad = utf8::find_invalid(name);
    if (bad == std::string_view::npos) bad = utf8::find_invalid(value);
    if (bad != std::string_view::npos) {
      error = "invalid UTF-8 in form field '" + std::string(name.substr(0, 64)) + "' once decoded";
      return;
    }
    // A field without '=' has an empty value whose data() may be null: RapidJSON refuses that.
    if (value.empty()) value = "";
    root.AddMember(json::Value(name.data(), static_cast<rapidjson::SizeType>(name.size()), alloc),
                   json::Value(value.data(), static_cast<rapidjson::SizeType>(value.size()), alloc), alloc);
  });
  if (!error.empty()) return nullptr;
  if (root.MemberCount() == 0) {
    error = "empty body";
    return nullptr;
  }
  resolve_duplicates(&root, "form field");
  // GET with JSON: the whole body in one `data` parameter.
  const json::Value& fields = root;  // Const iterators: C++20 finds RapidJSON's == ambiguous otherwise.
  auto data = fields.FindMember("data");
  if (data != fields.MemberEnd() && data->value.IsString() && fields.MemberCount() <= 2 && !fields.HasMember("alert")) {
    std::string_view text(data->value.GetString(), data->value.GetStringLength());
    size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '{') {
      json::Value inner;
      if (!parser_.parse_more(text, inner, error)) {
        error = "form field 'data': " + error;
        return nullptr;
      }
      root = inner;
      resolve_duplicates(&root, "key");
    }
  }
  return &root;
}

}  // namespace cmrelay
