#include "vendors/detect.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <map>

#include "json/parser.h"
#include "pipeline/pipeline.h"
#include "support.h"

using namespace cmrelay;
using test::decode;
using test::decode_form;
using test::decode_json;

namespace {

Detection run(const std::string& body, std::optional<Vendor> only = std::nullopt) {
  static json::Parser p;
  std::string err;
  json::Value* v = p.parse(body, err);
  REQUIRE(v != nullptr);
  return detect(*v, only);
}

}  // namespace

namespace {

const char* kVolcMetric =
    R"({"Type":"Metric","RuleId":"r-1","Level":"critical","Resources":[{"Id":"i-1","Metrics":[]}]})";
const char* kVolcEvent = R"({"Type":"Event","Id":"e-1","EventType":"ecs:X","Rules":[{"Level":"warning"}]})";
const char* kAliEvent = R"({"batchId":"b-1","strategyName":"s","alert":{"alertStatus":"TRIGGERED","severity":"INFO"}})";
const char* kAliThreshold = "alertState=ALERT&metricName=CPUUtilization&ruleId=r-1&triggerLevel=WARN";
const char* kAliSysEvent =
    R"({"id":"e-1","eventTime":"20250615T224518Z","name":"Instance:StateChange","product":"ECS","level":"INFO"})";

}  // namespace

TEST_CASE("detect: Volcengine formats with the keys that decided them") {
  Detection m = run(R"({"Type":"Metric","RuleId":"1","Resources":[]})");
  REQUIRE(m.format);
  CHECK(m.format->id == "volc.metric");
  CHECK(m.evidence == "Type=Metric, RuleId, Resources");
  Detection r = run(R"({"RuleId":"1","RecoveredResources":[]})");
  REQUIRE(r.format);
  CHECK(r.evidence == "no Type, RuleId, RecoveredResources");
  Detection e = run(R"({"Type":"Event","EventType":"x","Rules":[]})");
  REQUIRE(e.format);
  CHECK(e.format->id == "volc.event");
  CHECK(e.evidence == "Type=Event, EventType, Rules");
}

TEST_CASE("detect: unknown shapes name what was seen; a forced vendor limits the formats") {
  Detection u = run(R"({"hello":1,"world":2})");
  CHECK(u.format == nullptr);
  CHECK(u.error == "unknown shape: no format matches keys hello, world");
  Detection arr = run("[1]");
  CHECK(arr.error == "unknown shape: the body is an array, not a JSON object");
  Detection forced = run(R"({"Type":"Metric","RuleId":"1","Resources":[]})", Vendor::Alibaba);
  CHECK(forced.format == nullptr);
  CHECK(forced.error.find("no alibaba format matches keys Type, RuleId, Resources") != std::string::npos);
  std::string many = "{";
  for (int i = 0; i < 20; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  many += "}";
  CHECK(run(many).error.find("k11, ... (8 more)") != std::string::npos);
}

TEST_CASE("detect: a value that reads ' and ' does not make a body ambiguous") {
  Detection d = run(R"({"Type":"Metric and more","RuleId":"1","Resources":[]})");
  REQUIRE(d.format);
  CHECK(d.format->id == "volc.metric");
}

TEST_CASE("detect: all five formats, with the keys that decided each") {
  CHECK(decode_json(kVolcMetric).format == "volc.metric");
  CHECK(decode_json(kVolcEvent).format == "volc.event");
  auto event = decode_json(kAliEvent);
  CHECK(event.format == "ali.event");
  CHECK(event.evidence == "alert, batchId, strategyName");
  auto threshold = decode_form(kAliThreshold);
  CHECK(threshold.format == "ali.threshold");
  CHECK(threshold.evidence == "alertState=ALERT, metricName, ruleId");
  auto sys = decode_json(kAliSysEvent);
  CHECK(sys.format == "ali.sysevent");
  CHECK(sys.evidence == "eventTime, name, product, level");
}

TEST_CASE("detect: --vendor skips the other vendor's formats") {
  CHECK(decode(kAliEvent, BodyKind::Json, {}, {}, Vendor::Alibaba).format == "ali.event");
  auto ali_as_volc = decode(kAliEvent, BodyKind::Json, {}, {}, Vendor::Volcengine);
  CHECK(ali_as_volc.format.empty());
  CHECK(ali_as_volc.error.find("unknown shape: no volcengine format matches keys batchId") == 0);
  CHECK(decode(kAliThreshold, BodyKind::Form, {}, {}, Vendor::Volcengine).format.empty());
  CHECK(decode(kAliSysEvent, BodyKind::Json, {}, {}, Vendor::Volcengine).format.empty());
  auto volc_as_ali = decode(kVolcMetric, BodyKind::Json, {}, {}, Vendor::Alibaba);
  CHECK(volc_as_ali.format.empty());
  CHECK(volc_as_ali.error.find("no alibaba format matches keys Type") != std::string::npos);
  CHECK(decode(kVolcEvent, BodyKind::Json, {}, {}, Vendor::Alibaba).format.empty());
}

TEST_CASE("detect: the Alibaba formats never take one another's bodies") {
  // A threshold callback's keys beside an alert envelope: the envelope decides.
  CHECK(decode_json(R"({"alert":{},"batchId":"b","alertState":"ALERT","metricName":"m"})").format == "ali.event");
  // alertState marks a threshold callback even with the system event's keys.
  CHECK(decode_json(R"({"alertState":"OK","ruleId":"r","eventTime":"x","name":"n","product":"ECS","level":"INFO"})")
            .format == "ali.threshold");
  // An alert without the envelope's keys, or the envelope without an alert, is no format.
  CHECK(decode_json(R"({"alert":{"alertStatus":"TRIGGERED"}})").error.find("unknown shape") == 0);
  CHECK(decode_json(R"({"batchId":"b","strategyName":"s"})").error.find("unknown shape") == 0);
  CHECK(decode_json(R"({"alert":[],"batchId":"b"})").error.find("unknown shape") == 0);
  // alertState alone, or an empty one, is not enough.
  CHECK(decode_form("alertState=ALERT&curValue=1").error.find("unknown shape") == 0);
  CHECK(decode_form("alertState=&metricName=m").error.find("unknown shape") == 0);
  // A system event needs eventTime and name, and product or level.
  CHECK(decode_json(R"({"eventTime":"x","name":"n"})").error.find("unknown shape") == 0);
  CHECK(decode_json(R"({"eventTime":"x","name":"n","level":"INFO"})").format == "ali.sysevent");
  // Capitalised keys are Volcengine's: never an Alibaba body.
  CHECK(
      decode_json(R"({"Alert":{},"BatchId":"b","AlertState":"ALERT","MetricName":"m"})").error.find("unknown shape") ==
      0);
}

TEST_CASE("detect: a body that fits two formats is refused naming both") {
  auto d = decode_json(R"({"Type":"Event","EventType":"x","Rules":[],"alert":{},"batchId":"b"})");
  CHECK(d.format.empty());
  CHECK(d.error == "ambiguous body: it fits volc.event (Type=Event, EventType, Rules) and ali.event (alert, batchId)");
}

TEST_CASE("detect: one Detection reused from body to body says only the last body's verdict") {
  // The pipeline keeps one per thread so that its strings keep their storage: nothing of an
  // earlier body (its format, evidence or error) may show through.
  json::Parser p;
  std::string error;
  Detection d;
  const char* bodies[] = {kVolcMetric, R"({"Type":"Event","EventType":"x","Rules":[],"alert":{},"batchId":"b"})",
                          kVolcEvent, R"({"nothing":1})", kAliEvent};
  for (const char* body : bodies) {
    json::Value* v = p.parse(body, error);
    REQUIRE(v != nullptr);
    detect(*v, std::nullopt, d);
    const Detection fresh = detect(*v);
    CAPTURE(body);
    CHECK(d.format == fresh.format);
    CHECK(d.evidence == fresh.evidence);
    CHECK(d.error == fresh.error);
  }
  CHECK(d.format != nullptr);
  CHECK(d.evidence == "alert, batchId, strategyName");
}

TEST_CASE("detect: every sample under samples/ has the format its name says") {
  // File name prefix -> format id.
  const std::map<std::string, std::string, std::less<>> by_prefix{
      {"capture-event-", "ali.event"},        {"event-", "ali.event"},       {"threshold-", "ali.threshold"},
      {"capture-threshold", "ali.threshold"}, {"sysevent-", "ali.sysevent"},
  };
  const std::map<std::string, std::string, std::less<>> volc_prefix{
      {"metric-", "volc.metric"}, {"nodata-", "volc.metric"},      {"capture-metric", "volc.metric"},
      {"event-", "volc.event"},   {"capture-event", "volc.event"},
  };
  PipelineOptions options;
  options.decode = false;
  Pipeline pipeline(options);
  size_t bodies = 0, alibaba = 0, others = 0;
  pipeline.run({std::string(CMRELAY_SOURCE_DIR) + "/samples"}, [&](const Record& rec, const Detection& d, EventBatch&) {
    ++bodies;
    const std::filesystem::path path(std::string(rec.source));
    const std::string name = path.filename().string();
    const std::string vendor = path.parent_path().filename().string();
    CAPTURE(rec.source);
    CAPTURE(rec.index);
    // Every file of these vendors is of their one format.
    const std::map<std::string, std::string, std::less<>> one_format{
        {"tencent", "tc.alarm"}, {"huawei", "hw.ces"}, {"alertmanager", "am.webhook"}};
    if (auto it = one_format.find(vendor); it != one_format.end()) {
      ++others;
      CHECK(d.format->id == it->second);
      return;
    }
    if (vendor != "alibaba" && vendor != "volcengine") return;  // Another vendor's samples.
    std::string want;
    for (const auto& [prefix, id] : vendor == "alibaba" ? by_prefix : volc_prefix) {
      if (name.rfind(prefix, 0) == 0) want = id;
    }
    if (vendor == "alibaba") ++alibaba;
    if (want.empty()) {
      // A mixed stream: at least the vendor must be right.
      CHECK(std::string(d.format->id).rfind(vendor == "alibaba" ? "ali." : "volc.", 0) == 0);
    } else {
      CHECK(d.format->id == want);
    }
  });
  CHECK(pipeline.counts().rejected == 0);
  CHECK(alibaba >= 20);
  CHECK(others >= 15);
  CHECK(bodies > alibaba + others);
}

namespace {

// Every body of samples/, tests/vendors/bodies/ and the read path's fuzz corpus, read as the
// pipeline reads it (framed, then parsed or decoded from a form), passed to f.
template <class F>
void for_each_known_body(F f) {
  for (const char* dir : {"samples", "tests/vendors/bodies", "tests/fuzz/corpus/read_path_fuzz"}) {
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(std::string(CMRELAY_SOURCE_DIR) + "/" + dir)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || ext == ".yaml" || ext == ".md") continue;
      for (const test::OwnedRecord& owned : test::frame(test::read_file(entry.path().string()))) {
        if (!owned.error.empty()) continue;
        Record rec;
        rec.kind = owned.kind;
        rec.body = owned.body;
        rec.source = "test";
        rec.content_type = owned.content_type;
        rec.headers = owned.headers;
        BodyReader reader;
        std::string error;
        json::Value* v = reader.read(rec, error);
        if (v != nullptr) f(entry.path().string(), *v);
      }
    }
  }
}

}  // namespace

TEST_CASE("detect: a body a format recognises has one of the keys its detection is skipped without") {
  // detect() calls a format's recognise only for a body that has one of Format::keys; were a
  // format's keys not needed by its recognise, detection would miss its bodies. So: every
  // body a format recognises has one of them, and no longer fits once they are removed. And
  // detect() says what trying every format on every body says.
  std::map<std::string_view, size_t> recognised;
  size_t bodies = 0;
  json::Allocator pool;
  for_each_known_body([&](const std::string& path, json::Value& body) {
    CAPTURE(path);
    ++bodies;
    const Format* only = nullptr;
    size_t fits = 0;
    for (const Format* f : all_formats()) {
      CAPTURE(f->id);
      REQUIRE_FALSE(f->keys.empty());
      std::string evidence;
      if (!body.IsObject() || !f->recognise(body, evidence)) continue;
      ++fits;
      only = f;
      ++recognised[f->id];
      json::Value without(body, pool);
      bool had = false;
      for (std::string_view k : f->keys)
        had |= without.RemoveMember(json::Value(rapidjson::StringRef(k.data(), k.size())));
      CHECK(had);
      CHECK_FALSE(f->recognise(without, evidence));
    }
    const Detection d = detect(body);
    CHECK(d.format == (fits == 1 ? only : nullptr));
  });
  CHECK(bodies > 200);
  for (const Format* f : all_formats()) {
    CAPTURE(f->id);
    CHECK(recognised[f->id] > 0);
  }
}
