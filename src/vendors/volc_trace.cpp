#include "text/utf8.h"
#include "vendors/volcengine.h"

namespace cmrelay::volc {

std::string_view trace_id(const Record& rec, std::vector<std::string>* warnings) {
  std::string_view id = rec.header("x-volc-trace-id");
  if (utf8::valid(id)) return id;
  if (warnings != nullptr) warnings->push_back("x-volc-trace-id header is not valid UTF-8; not kept as a label");
  return {};
}

}  // namespace cmrelay::volc
