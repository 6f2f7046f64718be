#include "net/deliver/outcome.h"

#include <string>

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

}  // namespace

Outcome transport_failure(CURLcode rc, std::string_view transport_error) {
  Outcome out;
  out.verdict = retryable_transport(rc) ? Verdict::Retry : Verdict::Fail;
  out.error = transport_error.empty() ? std::string(curl_easy_strerror(rc)) : std::string(transport_error);
  return out;
}

Outcome judge(const target::Target& target, CURLcode rc, std::string_view transport_error,
              const target::Response& response) {
  if (rc != CURLE_OK) return transport_failure(rc, transport_error);
  return target.judge(response);
}

Outcome classify(CURLcode rc, std::string_view transport_error, long http_status, std::string_view body,
                 std::string_view location) {
  target::Response r;
  r.status = http_status;
  r.body = body;
  r.location = location;
  return judge(*target::flashduty_target(), rc, transport_error, r);
}

}  // namespace cmrelay::deliver
