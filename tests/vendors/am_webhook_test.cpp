// am.webhook: the Alertmanager webhook body from Prometheus's Alertmanager, Grafana and
// Alibaba ARMS: one event per alert, fingerprint keys, severity labels and ARMS's P1-P4.
#include <doctest/doctest.h>

#include "support.h"

using namespace cmrelay;
using test::decode_json;
using test::label;
using test::only;
using test::source_file;

TEST_CASE("am.webhook: each alert is one event, keyed on its fingerprint, severity from its label") {
  auto d = decode_json(source_file("samples/alertmanager/prometheus-firing.json"));
  CHECK(d.format == "am.webhook");
  CHECK(d.evidence == "alerts[], version, groupKey, receiver, commonLabels");
  REQUIRE(d.events.size() == 2);
  const Event& e = d.events[0];
  CHECK(e.status == Status::Critical);
  CHECK(d.events[1].status == Status::Warning);
  CHECK(e.alert_key == "am.webhook/8c1d2e3f4a5b6c7d");
  CHECK(e.title == "Filesystem /var on node-7.prod has 3% space left");  // annotations.summary
  CHECK(e.description.rfind("Filesystem /dev/nvme0n1p1 at node-7.prod:9100 has only 3.02%", 0) == 0);
  CHECK(e.event_time == 1778739697);  // startsAt
  test::check_labels(e, {{"source", "alertmanager"},
                         {"format", "am.webhook"},
                         {"check", "NodeFilesystemAlmostFull"},
                         {"resource", "node-7.prod:9100"},
                         {"alert_status", "firing"},
                         {"sender", "alertmanager"},
                         {"generator_url",
                          "http://prometheus.prod:9090/graph?g0.expr=node_filesystem_avail_bytes%7B"
                          "mountpoint%3D%22%2Fvar%22%7D&g0.tab=1"},
                         {"mountpoint", "/var"},
                         {"annotation_runbook_url", "https://runbooks.example.com/node/filesystem-full"}});
  CHECK(d.warnings.empty());
}

TEST_CASE("am.webhook: resolved gives Ok under the firing key, at endsAt, with the alert's severity") {
  auto d = decode_json(source_file("samples/alertmanager/prometheus-resolved.json"));
  const Event& e = only(d);
  CHECK(e.status == Status::Ok);
  CHECK(e.alert_severity == Status::Critical);
  CHECK(e.alert_key == "am.webhook/8c1d2e3f4a5b6c7d");
  CHECK(e.event_time == 1778742157);  // endsAt
  CHECK(e.title == "Recovered: Filesystem /var on node-7.prod has 3% space left");
}

TEST_CASE("am.webhook: without a fingerprint the key is a digest of the sorted labels, the same on resolve") {
  auto fired = decode_json(source_file("samples/alertmanager/capture-no-fingerprint.json"));
  auto ok = decode_json(source_file("samples/alertmanager/capture-no-fingerprint-resolved.json"));
  CHECK(only(fired).alert_key.rfind("am.webhook/labels/", 0) == 0);
  CHECK(only(fired).alert_key == only(ok).alert_key);
  // Label order does not matter; a label's value does.
  auto a = decode_json(R"({"version":"4","alerts":[{"labels":{"a":"1","b":"2"}}]})");
  auto b = decode_json(R"({"version":"4","alerts":[{"labels":{"b":"2","a":"1"}}]})");
  auto c = decode_json(R"({"version":"4","alerts":[{"labels":{"b":"2","a":"3"}}]})");
  CHECK(only(a).alert_key == only(b).alert_key);
  CHECK(only(a).alert_key != only(c).alert_key);
  // The unknown level "major" fired as Warning, said once; its resolve is Ok without a word.
  CHECK(only(fired).status == Status::Warning);
  REQUIRE(fired.warnings.size() == 1);
  CHECK(fired.warnings[0] ==
        "unknown alertmanager severity 'major' is sent as Warning (the original is in label vendor_severity)");
  CHECK(ok.warnings.empty());
  CHECK(only(ok).alert_severity == Status::Warning);
}

TEST_CASE("am.webhook: the severity table: critical/error, warning, info/none; title falls back to alertname") {
  const char* tmpl = R"({"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A","severity":"%s"}}]})";
  for (auto [level, want] : {std::pair<const char*, Status>{"critical", Status::Critical},
                             {"error", Status::Critical},
                             {"warning", Status::Warning},
                             {"info", Status::Info},
                             {"none", Status::Info}}) {
    char body[256];
    std::snprintf(body, sizeof body, tmpl, level);
    CAPTURE(level);
    CHECK(only(decode_json(body)).status == want);
    CHECK(only(decode_json(body)).title == "A");
  }
}

TEST_CASE("am.webhook: Grafana's body: version 1, values, silence link; no severity label is Warning") {
  auto d = decode_json(source_file("samples/alertmanager/grafana-firing.json"));
  REQUIRE(d.events.size() == 2);
  const Event& e = d.events[0];
  CHECK(label(e, "sender") == "grafana");
  CHECK(e.alert_key == "am.webhook/c6eadffa33fcdf37");
  CHECK(label(e, "value_b") == "44.23943737541908");
  CHECK(e.description.find("Values: B=44.23943737541908, C=1") != std::string::npos);
  CHECK(e.description.find("Silence: https://grafana.example.com/alerting/silence/new?") != std::string::npos);
  CHECK(e.event_time == 1778917863);  // 2026-05-16T09:51:03.157076+02:00
  CHECK(e.status == Status::Warning);
  REQUIRE(d.warnings.size() == 2);  // One per event; the run says it once.
  CHECK(d.warnings[0] == "am.webhook bodies without a severity level are sent as Warning");
  const Event ok = only(decode_json(source_file("samples/alertmanager/grafana-resolved.json")));
  CHECK(ok.status == Status::Ok);
  CHECK(ok.alert_key == e.alert_key);
}

TEST_CASE("am.webhook: ARMS: its level decides (P1 Critical, P2/P3 Warning, P4 Info), its labels fill the contract") {
  auto d = decode_json(source_file("samples/alertmanager/arms-p1-firing.json"));
  const Event& e = only(d);
  CHECK(e.status == Status::Critical);
  test::check_labels(e, {{"sender", "arms"},
                         {"vendor_severity", "P1"},
                         {"account_id", "1188000000000042"},
                         {"region", "cn-hangzhou"},
                         {"resource_id", "c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4"},
                         {"resource_name", "prod-k8s-1"},
                         {"check", "Pod OOMKilled"}});
  const Event ok = only(decode_json(source_file("samples/alertmanager/arms-p1-resolved.json")));
  CHECK(ok.status == Status::Ok);
  CHECK(ok.alert_key == e.alert_key);
  const char* tmpl = R"({"version":"4","alerts":[{"labels":{"severity":"critical","_aliyun_arms_alert_level":"%s"}}]})";
  for (auto [level, want] : {std::pair<const char*, Status>{"P2", Status::Warning},
                             {"P3", Status::Warning},
                             {"P4", Status::Info},
                             {"p1", Status::Critical}}) {
    char body[256];
    std::snprintf(body, sizeof body, tmpl, level);
    CAPTURE(level);
    CHECK(only(decode_json(body)).status == want);
  }
  // A level the table does not know leaves the severity label to decide.
  CHECK(only(decode_json(R"({"version":"4","alerts":[{"labels":{"severity":"info","_aliyun_arms_alert_level":"Q"}}]})"))
            .status == Status::Info);
  // The documentation's body: ERROR, ARMS's second level, beside severity warning.
  CHECK(only(decode_json(source_file("samples/alertmanager/arms-doc-firing.json"))).status == Status::Critical);
}

TEST_CASE("am.webhook: malformed: no alerts, an alert that is no object, labels of the wrong type") {
  CHECK(decode_json(R"({"version":"4","alerts":[]})").error ==
        "an Alertmanager body with no alerts (alerts[] is empty)");
  CHECK(decode_json(R"({"version":"4","alerts":[1]})").error == "field alerts[]: expected an object, got a number");
  CHECK(decode_json(R"({"version":"4","alerts":[{"labels":[]}]})").error.find("labels") != std::string::npos);
  // alerts[] alone is no Alertmanager body.
  CHECK(decode_json(R"({"alerts":[{"labels":{}}]})").error.find("unknown shape") == 0);
  // Everything else may be absent.
  const Event bare = only(decode_json(R"({"receiver":"r","alerts":[{}]})"));
  CHECK(bare.title == "Alertmanager alert");
  CHECK(bare.status == Status::Warning);
}
