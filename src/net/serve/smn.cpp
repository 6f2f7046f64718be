#include "net/serve/smn.h"

#include <curl/curl.h>

#include <memory>

#include "text/ascii.h"
#include "text/url_redact.h"
#include "vendors/huawei.h"

namespace cmrelay::serve {
namespace {

constexpr size_t kMaxQueued = 64;     // Confirmations waiting; more are refused, said.
constexpr size_t kMaxOffered = 4096;  // URLs remembered for "at most once"; then the oldest set is cleared.

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};

std::string url_part(CURLU* u, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, 0) != CURLUE_OK || value == nullptr) return {};
  std::string out(value);
  curl_free(value);
  return out;
}

bool loopback(std::string_view host) { return host == "localhost" || host == "[::1]" || host.substr(0, 4) == "127."; }

bool host_matches(std::string_view host, std::string_view pattern) {
  if (pattern.substr(0, 2) == "*.") {
    const std::string_view suffix = pattern.substr(1);  // ".myhuaweicloud.com"
    return host.size() > suffix.size() && text::iequals(host.substr(host.size() - suffix.size()), suffix);
  }
  return text::iequals(host, pattern);
}

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

std::vector<std::string> default_smn_hosts() {
  return {"console.huaweicloud.com", "console-intl.huaweicloud.com", "*.myhuaweicloud.com", "*.myhuaweicloud.eu"};
}

bool smn_url_allowed(std::string_view url, const std::vector<std::string>& hosts, std::string& why) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  const std::string text(url);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    why = "subscribe_url is not a URL";
    return false;
  }
  const std::string scheme = text::to_lower(url_part(u.get(), CURLUPART_SCHEME));
  const std::string host = text::to_lower(url_part(u.get(), CURLUPART_HOST));
  if (scheme != "https" && !(scheme == "http" && loopback(host))) {
    why = "subscribe_url is not https";
    return false;
  }
  for (const std::string& pattern : hosts) {
    if (host_matches(host, pattern)) return true;
  }
  why = "host " + host + " is not one of --smn-confirm-host";
  return false;
}

SmnConfirm::SmnConfirm(SmnOptions options, const Log& log) : options_(std::move(options)), log_(log) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // Before the worker exists: not thread-safe in older libcurl.
  worker_ = std::thread([this] { run(); });
}

SmnConfirm::~SmnConfirm() {
  std::deque<Job> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    dropped.swap(jobs_);
  }
  wake_.notify_all();
  worker_.join();
  for (const Job& job : dropped) {
    log_.write("smn", {{"type", std::string(huawei::kSubscriptionConfirmation)},
                       {"topic", job.topic},
                       {"url", redact_url(job.url)},
                       {"file", job.file},
                       {"outcome", "not confirmed: serve stopped first"}});
  }
}

void SmnConfirm::offer(const Record& rec, std::string_view file) {
  // Cheap first: only a body that names one of the handshake's types is parsed again.
  if (rec.body.find("Confirmation") == std::string_view::npos) return;
  std::string error;
  const json::Value* body = parser_.parse(rec.body, error);
  if (body == nullptr) return;
  const huawei::SmnHandshake h = huawei::smn_handshake(*body);
  if (h.type.empty()) return;
  LogFields fields{{"type", h.type}, {"topic", h.topic_urn}, {"url", redact_url(h.subscribe_url)}};
  fields.emplace_back("file", std::string(file));
  if (h.type == huawei::kUnsubscribeConfirmation) {
    fields.emplace_back("outcome", "logged, never confirmed: the subscription was cancelled");
    log_.write("smn", fields);
    return;
  }
  std::string why;
  if (!smn_url_allowed(h.subscribe_url, options_.hosts, why)) {
    fields.emplace_back("outcome", "not confirmed: " + why);
    log_.write("smn", fields);
    return;
  }
  if (offered_.count(h.subscribe_url) != 0) {
    fields.emplace_back("outcome", "already confirmed in this run");
    log_.write("smn", fields);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (jobs_.size() >= kMaxQueued) {
      fields.emplace_back("outcome", "not confirmed: too many confirmations waiting");
      log_.write("smn", fields);
      return;
    }
    jobs_.push_back({h.subscribe_url, h.topic_urn, std::string(file)});
  }
  if (offered_.size() >= kMaxOffered) offered_.clear();
  offered_.insert(h.subscribe_url);
  wake_.notify_one();
}

void SmnConfirm::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    confirm(job);
  }
}

// One GET, no redirect followed (a redirect could lead off the allowed hosts), the answer's
// body not kept: its status says whether SMN took the confirmation.
void SmnConfirm::confirm(const Job& job) {
  std::unique_ptr<CURL, EasyDeleter> h(curl_easy_init());
  LogFields fields{{"type", std::string(huawei::kSubscriptionConfirmation)},
                   {"topic", job.topic},
                   {"url", redact_url(job.url)},
                   {"file", job.file}};
  if (!h) {
    fields.emplace_back("outcome", "not confirmed: cannot start a request");
    log_.write("smn", fields);
    return;
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h.get(), CURLOPT_URL, job.url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h.get(), CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(h.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h.get(), CURLOPT_USERAGENT, "cmrelay/" CMRELAY_VERSION);
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(h.get(), CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h.get(), CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.cacert.empty()) curl_easy_setopt(h.get(), CURLOPT_CAINFO, options_.cacert.c_str());
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(h.get(), CURLOPT_ERRORBUFFER, errbuf);
  const CURLcode rc = curl_easy_perform(h.get());
  long status = 0;
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &status);
  fields.emplace_back("status", std::to_string(status));
  if (rc != CURLE_OK) {
    // libcurl's message may quote the URL: masked as every URL is.
    const std::string message = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    fields.emplace_back("outcome", "failed: " + mask_secrets(message, url_secrets(job.url)));
  } else {
    fields.emplace_back("outcome", status >= 200 && status < 300 ? "confirmed" : "failed: the server refused it");
  }
  log_.write("smn", fields);
}

}  // namespace cmrelay::serve
