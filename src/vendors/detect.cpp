#include "vendors/detect.h"

#include "text/hash.h"
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

// The bits of each format's keys (Format::keys), in all_formats() order.
const std::vector<text::NameBits>& format_keys() {
  static const std::vector<text::NameBits> keys = [] {
    std::vector<text::NameBits> all;
    for (const Format* f : all_formats()) {
      text::NameBits& bits = all.emplace_back();
      for (std::string_view k : f->keys) bits.add(k);
    }
    return all;
  }();
  return keys;
}

}  // namespace

Detection detect(const json::Value& body, std::optional<Vendor> only) {
  Detection d;
  detect(body, only, d);
  return d;
}

void detect(const json::Value& body, std::optional<Vendor> only, Detection& d) {
  d.format = nullptr;
  d.evidence.clear();
  d.error.clear();
  if (!body.IsObject()) {
    d.error = "unknown shape: the body is " + std::string(fields::type_name(body)) + ", not a JSON object";
    return;
  }
  text::NameBits names;
  for (auto it = body.MemberBegin(); it != body.MemberEnd(); ++it)
    names.add(std::string_view(it->name.GetString(), it->name.GetStringLength()));
  const std::vector<const Format*>& formats = all_formats();
  const std::vector<text::NameBits>& keys = format_keys();
  auto tried = [&](size_t i) { return (!only || formats[i]->vendor == *only) && names.meets(keys[i]); };
  thread_local std::string evidence;  // Reused: every body is tried against every format.
  size_t fits = 0;
  for (size_t i = 0; i < formats.size(); ++i) {
    const Format* f = formats[i];
    evidence.clear();
    if (!tried(i) || !f->recognise(body, evidence)) continue;
    if (fits++ == 0) {
      d.format = f;
      d.evidence.assign(evidence);
    }
  }
  if (fits > 1) {
    std::string matches;  // Only an ambiguous body (rare) names every format that fits.
    for (size_t i = 0; i < formats.size(); ++i) {
      const Format* f = formats[i];
      evidence.clear();
      if (!tried(i) || !f->recognise(body, evidence)) continue;
      if (!matches.empty()) matches += " and ";
      matches += std::string(f->id) + " (" + evidence + ")";
    }
    d.format = nullptr;
    d.evidence.clear();
    d.error = "ambiguous body: it fits " + matches;
  } else if (d.format == nullptr) {
    d.error = "unknown shape: no " + (only ? std::string(vendor_name(*only)) + " " : std::string()) +
              "format matches " + describe_keys(body);
  }
}

}  // namespace cmrelay
