#include "net/deliver/outcome.h"

#include <doctest/doctest.h>

#include <string>

using namespace cmrelay::deliver;

namespace {
Verdict http(long status, std::string_view body = "{}") { return classify(CURLE_OK, "", status, body).verdict; }
}  // namespace

TEST_CASE("2xx is delivered unless the body carries an error") {
  CHECK(http(200, R"({"request_id":"r","data":{"alert_key":"k"}})") == Verdict::Delivered);
  CHECK(http(204, "") == Verdict::Delivered);
  CHECK(http(200, "not json") == Verdict::Delivered);
  CHECK(http(200, R"({"error":null})") == Verdict::Delivered);
  Outcome o = classify(CURLE_OK, "", 200, R"({"request_id":"r","error":{"code":"InvalidParameter","message":"bad"}})");
  CHECK(o.verdict == Verdict::Fail);
  CHECK(o.error_code == "InvalidParameter");
  CHECK(o.error_message == "bad");
  CHECK(o.http_status == 200);
}

TEST_CASE("408, 429 and 5xx except 501 are retried; other statuses are not") {
  for (long s : {408L, 429L, 500L, 502L, 503L, 504L, 599L}) CHECK(http(s) == Verdict::Retry);
  for (long s : {301L, 400L, 401L, 403L, 404L, 409L, 413L, 422L, 501L}) CHECK(http(s) == Verdict::Fail);
}

TEST_CASE("Flashduty's error code and message are reported") {
  Outcome o = classify(CURLE_OK, "", 429, R"({"error":{"code":"RequestTooFrequently","message":"slow down"}})");
  CHECK(o.verdict == Verdict::Retry);
  CHECK(o.error == "HTTP 429 RequestTooFrequently: slow down");
  CHECK(classify(CURLE_OK, "", 403, R"({"error":"forbidden"})").error == "HTTP 403: forbidden");
}

TEST_CASE("transport errors are retried, local configuration errors are not") {
  for (CURLcode rc : {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_OPERATION_TIMEDOUT,
                      CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING}) {
    CHECK(classify(rc, "", 0, "").verdict == Verdict::Retry);
  }
  for (CURLcode rc : {CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_SSL_CACERT_BADFILE}) {
    CHECK(classify(rc, "", 0, "").verdict == Verdict::Fail);
  }
  CHECK(classify(CURLE_COULDNT_CONNECT, "Failed to connect", 0, "").error == "Failed to connect");
  CHECK(classify(CURLE_COULDNT_CONNECT, "", 0, "").error == curl_easy_strerror(CURLE_COULDNT_CONNECT));
}

// Found by deliver_fuzz: a response body nested 100,000 deep overflowed the stack in
// RapidJSON's recursive parser. The body is whatever the server sends.
TEST_CASE("a deeply nested response body is read without recursion") {
  const std::string deep(100000, '[');
  CHECK(http(200, deep) == Verdict::Delivered);  // Not JSON with an error object: delivered.
  CHECK(http(503, deep) == Verdict::Retry);
}

TEST_CASE("request_id is kept from every response, success or failure") {
  CHECK(classify(CURLE_OK, "", 200, R"({"request_id":"r1","data":{"alert_key":"k"}})").request_id == "r1");
  CHECK(classify(CURLE_OK, "", 429, R"({"request_id":"r2","error":{"code":"RequestTooFrequently"}})").request_id ==
        "r2");
  CHECK(classify(CURLE_OK, "", 500, "not json").request_id.empty());
}

TEST_CASE("a redirect is not followed, and says where it pointed") {
  Outcome o = classify(CURLE_OK, "", 301, "", "https://example.com/new?integration_key=***");
  CHECK(o.verdict == Verdict::Fail);
  CHECK(o.error == "HTTP 301: redirects are not followed (Location: https://example.com/new?integration_key=***)");
  CHECK(classify(CURLE_OK, "", 307, "").error == "HTTP 307: redirects are not followed");
}
