#include "net/deliver/outcome.h"

#include <rapidjson/document.h>

namespace cmrelay::deliver {
namespace {

bool retryable_transport(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_FUNCTION_NOT_FOUND:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_ABORTED_BY_CALLBACK:
      return false;
    default:
      return true;
  }
}

bool retryable_status(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599 && status != 501);
}

// Flashduty's {"request_id":"...","error":{"code":"...","message":"..."}}: sets request_id;
// true when the body carries "error".
bool read_error(std::string_view body, Outcome& out) {
  rapidjson::Document doc;
  // Iterative: the body is whatever the server sent, and RapidJSON's default recursive
  // parser overflows the stack on deep nesting ("[[[[..." 100,000 deep).
  doc.Parse<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const rapidjson::Value& root = doc;  // Const iterators: C++20 finds RapidJSON's == ambiguous otherwise.
  auto id = root.FindMember("request_id");
  if (id != root.MemberEnd() && id->value.IsString())
    out.request_id.assign(id->value.GetString(), id->value.GetStringLength());
  auto it = root.FindMember("error");
  if (it == root.MemberEnd() || it->value.IsNull()) return false;
  const rapidjson::Value& e = it->value;
  if (e.IsString()) {
    out.error_message.assign(e.GetString(), e.GetStringLength());
  } else if (e.IsObject()) {
    auto code = e.FindMember("code");
    if (code != e.MemberEnd() && code->value.IsString()) out.error_code = code->value.GetString();
    auto msg = e.FindMember("message");
    if (msg != e.MemberEnd() && msg->value.IsString()) out.error_message = msg->value.GetString();
  }
  return true;
}

}  // namespace

Outcome classify(CURLcode rc, std::string_view transport_error, long http_status, std::string_view body,
                 std::string_view location) {
  Outcome out;
  if (rc != CURLE_OK) {
    out.verdict = retryable_transport(rc) ? Verdict::Retry : Verdict::Fail;
    out.error = transport_error.empty() ? std::string(curl_easy_strerror(rc)) : std::string(transport_error);
    return out;
  }
  out.http_status = http_status;
  bool has_error = read_error(body, out);
  if (http_status >= 200 && http_status <= 299 && !has_error) {
    out.verdict = Verdict::Delivered;
    return out;
  }
  out.verdict = retryable_status(http_status) ? Verdict::Retry : Verdict::Fail;
  out.error = "HTTP " + std::to_string(http_status);
  if (!out.error_code.empty()) out.error += " " + out.error_code;
  if (!out.error_message.empty()) out.error += ": " + out.error_message;
  if (has_error && http_status >= 200 && http_status <= 299) out.error += " (error in a 2xx response)";
  if (http_status >= 300 && http_status <= 399) {
    out.error += ": redirects are not followed";
    if (!location.empty()) out.error.append(" (Location: ").append(location).append(")");
  }
  return out;
}

}  // namespace cmrelay::deliver
