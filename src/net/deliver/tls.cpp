#include "net/deliver/tls.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace cmrelay::deliver {
namespace {

// Empty when path is a file holding at least one PEM certificate.
std::string bundle_problem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + ": " + std::strerror(errno);
  constexpr size_t kLook = size_t{1} << 20;  // A bundle's first certificate starts near the top.
  std::string head(kLook, '\0');
  in.read(head.data(), static_cast<std::streamsize>(kLook));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.find("-----BEGIN CERTIFICATE-----") == std::string::npos) return path + ": holds no certificate";
  return {};
}

}  // namespace

std::string default_ca_problem() {
  CURL* h = curl_easy_init();
  if (h == nullptr) return "libcurl could not start";
  char* cainfo = nullptr;
  char* capath = nullptr;
  curl_easy_getinfo(h, CURLINFO_CAINFO, &cainfo);
  curl_easy_getinfo(h, CURLINFO_CAPATH, &capath);
  std::string file = cainfo != nullptr ? cainfo : "";
  std::string dir = capath != nullptr ? capath : "";
  curl_easy_cleanup(h);
  // libcurl (OpenSSL) fails every request when its CA file cannot be loaded, whatever the
  // directory holds; with no file configured, the directory must exist.
  if (!file.empty()) return bundle_problem(file);
  struct stat st {};
  if (!dir.empty() && (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
    return dir + ": " + std::strerror(errno ? errno : ENOTDIR);
  if (file.empty() && dir.empty()) return "libcurl has no default CA certificates";
  return {};
}

}  // namespace cmrelay::deliver
