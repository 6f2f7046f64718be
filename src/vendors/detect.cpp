#include "vendors/detect.h"

#include "vendors/fields.h"

namespace cmrelay {
namespace {

std::string describe_keys(const json::Value& body) {
  std::string keys;
  size_t n = 0;
  for (auto it = body.MemberBegin(); it != body.MemberEnd(); ++it, ++n) {
    if (n == 12) {
      keys += ", ... (" + std::to_string(body.MemberCount() - 12) + " more)";
      break;
    }
    if (n > 0) keys += ", ";
    std::string_view k(it->name.GetString(), it->name.GetStringLength());
    keys += k.substr(0, 40);
  }
  return keys.empty() ? "no keys" : "keys " + keys;
}

}  // namespace

Detection detect(const json::Value& body, std::optional<Vendor> only) {
  Detection d;
  if (!body.IsObject()) {
    d.error = "unknown shape: the body is " + std::string(fields::type_name(body)) + ", not a JSON object";
    return d;
  }
  std::string evidence;
  std::string matches;
  size_t fits = 0;
  for (const Format* f : all_formats()) {
    if (only && f->vendor != *only) continue;
    evidence.clear();
    if (!f->recognise(body, evidence)) continue;
    if (d.format == nullptr) {
      d.format = f;
      d.evidence = evidence;
    }
    ++fits;
    if (!matches.empty()) matches += " and ";
    matches += std::string(f->id) + " (" + evidence + ")";
  }
  if (fits > 1) {
    d.format = nullptr;
    d.evidence.clear();
    d.error = "ambiguous body: it fits " + matches;
  } else if (d.format == nullptr) {
    d.error = "unknown shape: no " + (only ? std::string(vendor_name(*only)) + " " : std::string()) +
              "format matches " + describe_keys(body);
  }
  return d;
}

}  // namespace cmrelay
