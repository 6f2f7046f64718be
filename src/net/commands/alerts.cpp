// cmrelay alerts: lists the open alerts of send's state, or forgets some.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>

#include "cli/read.h"
#include "net/commands/options.h"
#include "net/state/state.h"
#include "output/ndjson.h"
#include "report/diag.h"
#include "text/escape.h"

namespace cmrelay::cli {
namespace {

std::string utc(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm));
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

void write_ndjson(NdjsonWriter& out, const state::OpenAlert& a) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("alert_key");
  w.String(a.alert_key.c_str(), static_cast<rapidjson::SizeType>(a.alert_key.size()));
  w.Key("severity");
  w.String(a.severity.c_str());
  w.Key("title");
  w.String(a.title.c_str(), static_cast<rapidjson::SizeType>(a.title.size()));
  w.Key("channels");
  w.StartArray();
  for (const std::string& c : a.channels) w.String(c.c_str(), static_cast<rapidjson::SizeType>(c.size()));
  w.EndArray();
  w.Key("first_seen");
  w.String(utc(a.first_seen).c_str());
  w.Key("last_seen");
  w.String(utc(a.last_seen).c_str());
  w.EndObject();
  out.write_line(std::string_view(sb.GetString(), sb.GetSize()));
}

// A table: every row is read first to size the columns (a terminal shows few).
void write_table(state::Store& store) {
  std::vector<std::vector<std::string>> rows{{"ALERT_KEY", "SEVERITY", "FIRST_SEEN", "LAST_SEEN", "CHANNELS", "TITLE"}};
  store.each([&](const state::OpenAlert& a) {
    rows.push_back({text::escape(a.alert_key), a.severity, utc(a.first_seen), utc(a.last_seen),
                    text::escape(joined(a.channels)), text::escape(a.title)});
  });
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows) {
    if (rows.size() == 1) break;  // No alert: the count alone.
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
  std::printf("%zu open alerts in %s\n", rows.size() - 1, store.path().c_str());
}

}  // namespace

int alerts(const AlertsOptions& o) {
  if (o.format != "auto" && o.format != "table" && o.format != "ndjson") {
    diag::say("--format must be auto, table or ndjson, not '%s'", o.format.c_str());
    return kUsage;
  }
  std::string path = o.state.empty() ? state::default_path() : o.state;
  if (path.empty() || path == "none") {
    diag::say(
        "alerts needs a state file: give --state FILE (no default location: neither "
        "XDG_STATE_HOME nor HOME is an absolute path)");
    return kUsage;
  }
  const bool changing = o.forget_all || !o.forget.empty();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {  // No state yet: nothing is open.
    if (!changing && o.format != "ndjson" && (o.format == "table" || ::isatty(STDOUT_FILENO))) {
      std::printf("0 open alerts in %s\n", path.c_str());
    }
    if (!flush_stdout()) return kOutputFailed;
    return o.forget.empty() ? kOk : kRejected;
  }
  try {
    std::unique_ptr<state::Store> store = state::Store::open(path, std::chrono::seconds(0), !changing);
    if (o.forget_all) {
      diag::say("alerts: forgot %llu open alerts", static_cast<unsigned long long>(store->forget_all()));
      return kOk;
    }
    if (changing) {
      int status = kOk;
      for (const std::string& key : o.forget) {
        if (store->forget(key)) continue;
        diag::say("alerts: %s is not open", text::escape(key).c_str());
        status = kRejected;
      }
      return status;
    }
    if (o.format == "table" || (o.format == "auto" && ::isatty(STDOUT_FILENO))) {
      write_table(*store);
      return flush_stdout() ? kOk : kOutputFailed;
    }
    NdjsonWriter out(stdout, false);
    store->each([&](const state::OpenAlert& a) { write_ndjson(out, a); });
    const bool written = out.flush();
    return flush_stdout() && written ? kOk : kOutputFailed;
  } catch (const state::StateError& x) {
    diag::say("state %s", x.what());
    return kStateFailed;
  }
}

Run add_alerts(CLI::App& cmd) {
  auto o = std::make_shared<AlertsOptions>();
  cmd.add_option("--state", o->state, "The state file")
      ->type_name("FILE")
      ->default_str("$XDG_STATE_HOME/cmrelay/state.db, else ~/.local/state/cmrelay/state.db");
  cmd.add_option("--forget", o->forget, "Forget the open alert with this alert_key (repeatable)")->type_name("KEY");
  cmd.add_flag("--forget-all", o->forget_all, "Forget every open alert");
  cmd.add_option("--format", o->format, "auto (a table on a terminal, else NDJSON), table or ndjson")
      ->capture_default_str();
  return [o] { return alerts(*o); };
}

}  // namespace cmrelay::cli
