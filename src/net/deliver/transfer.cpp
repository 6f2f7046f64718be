#include "net/deliver/transfer.h"

#include <algorithm>

#include "net/deliver/backoff.h"
#include "net/deliver/sender.h"
#include "text/url_redact.h"

namespace cmrelay::deliver {
namespace {

constexpr size_t kMaxResponse = size_t{64} * 1024;  // Enough for any error body; the rest is skipped.

size_t on_response(char* data, size_t size, size_t n, void* user) {
  auto* flight = static_cast<Flight*>(user);
  size_t len = size * n;
  if (flight->response.size() < kMaxResponse)
    flight->response.append(data, std::min(len, kMaxResponse - flight->response.size()));
  return len;
}

}  // namespace

Transfers::Transfers(const DeliveryOptions& options) : options_(options) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(std::max<size_t>(options_.concurrency, 1)));
}

Transfers::~Transfers() {
  for (auto& f : flights_) {
    curl_multi_remove_handle(multi_, f->easy);  // Harmless for one not in flight.
    curl_easy_cleanup(f->easy);
  }
  for (curl_slist* h : header_lists_) curl_slist_free_all(h);
  curl_multi_cleanup(multi_);
  curl_global_cleanup();
}

curl_slist* Transfers::header_list(const std::vector<std::pair<std::string, std::string>>& target_headers,
                                   const std::vector<std::pair<std::string, std::string>>& channel_headers) {
  curl_slist* h = nullptr;
  std::string line;
  auto add = [&](const std::string& name, const std::string& value) {
    line.assign(name).append(": ").append(value);
    h = curl_slist_append(h, line.c_str());
  };
  for (const auto& [name, value] : target_headers) add(name, value);
  h = curl_slist_append(h, "Expect:");  // No 100-continue round trip.
  for (const auto& [name, value] : channel_headers) add(name, value);
  header_lists_.push_back(h);
  return h;
}

Flight* Transfers::acquire() {
  if (idle_.empty()) {
    flights_.push_back(std::make_unique<Flight>());
    flights_.back()->easy = curl_easy_init();
    idle_.push_back(flights_.back().get());
  }
  Flight* f = idle_.back();
  idle_.pop_back();
  f->jobs.clear();
  return f;
}

void Transfers::start(Flight* f, curl_slist* headers, std::chrono::milliseconds timeout) {
  CURL* h = f->easy;
  f->response.clear();
  f->errbuf[0] = '\0';
  // NUL-terminated: the channel's URL whole, or the request's own (target.h).
  curl_easy_setopt(h, CURLOPT_URL, f->request.url.data());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(f->request.body.size()));
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, f->request.body.data());
  curl_easy_setopt(h, CURLOPT_USERAGENT, "cmrelay/" CMRELAY_VERSION);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.cacert.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.cacert.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_response);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, f->errbuf);
  curl_easy_setopt(h, CURLOPT_PRIVATE, f);
  curl_multi_add_handle(multi_, h);
  ++in_flight_;
}

void Transfers::release(Flight* f) {
  curl_multi_remove_handle(multi_, f->easy);
  idle_.push_back(f);
  --in_flight_;
}

void Transfers::give_back(Flight* f) { idle_.push_back(f); }

void Transfers::run() {
  int running = 0;
  curl_multi_perform(multi_, &running);
}

void Transfers::perform(const std::function<void(Flight*, const Ended&)>& ended) {
  run();
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
    if (m->msg != CURLMSG_DONE) continue;
    CURL* h = m->easy_handle;
    Flight* f = nullptr;
    curl_easy_getinfo(h, CURLINFO_PRIVATE, &f);
    Ended e;
    e.rc = m->data.result;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &e.status);
    curl_header* header = nullptr;
    if (e.rc == CURLE_OK && curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &header) == CURLHE_OK) {
      e.retry_after = parse_retry_after(header->value, std::chrono::system_clock::now());
    }
    if (e.rc == CURLE_OK && e.status >= 300 && e.status <= 399) {
      char* to = nullptr;
      if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &to) == CURLE_OK && to != nullptr) e.location = redact_url(to);
    }
    ended(f, e);
  }
}

void Transfers::wait(int ms) { curl_multi_poll(multi_, nullptr, 0, ms, nullptr); }

void Transfers::wakeup() { curl_multi_wakeup(multi_); }

}  // namespace cmrelay::deliver
