// Vendor extras under Flashduty's 50-label cap: one count of what was left out, one warning,
// whatever the vendor.
#include "vendors/extras.h"

#include <doctest/doctest.h>

#include <string>

#include "support.h"

using namespace cmrelay;
using test::decode_json;
using test::label;
using test::only;

namespace {

// A volc.metric body with one resource, its Tags given as members ("k0", "k1"...).
std::string volc_metric(int tags, std::string_view extra_tag = {}) {
  std::string t;
  for (int i = 0; i < tags; ++i) t += (i ? "," : "") + (R"({"Key":"k)" + std::to_string(i) + R"(","Value":"v"})");
  if (!extra_tag.empty()) t += std::string(tags ? "," : "") + std::string(extra_tag);
  return R"({"Type":"Metric","AccountId":"21","RuleId":"r1","RuleName":"cpu","Level":"critical","Namespace":"VCM_ECS",)"
         R"("Resources":[{"Id":"i-1","Name":"web","Region":"cn-beijing","Dimensions":[{"Name":"ResourceID","Value":"i-1"}],)"
         R"("Metrics":[{"Name":"CpuTotal","CurrentValue":97,"Threshold":85,"Unit":"Percent","Warning":true}]}],)"
         R"("Tags":[)" +
         t + "]}";
}

// An ali.sysevent body whose content object has the given number of members.
std::string ali_sysevent(int members) {
  std::string c = R"({"instanceId":"i-m5e2")";
  for (int i = 0; i < members; ++i) c += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
  return R"({"id":"ev-1","resourceId":"acs:ecs:cn-qingdao:1270:instance/i-m5e2","product":"ECS","level":"CRITICAL",)"
         R"("eventTime":"20250615T224518.233+0800","name":"Instance:StateChange","content":)" +
         c + "}}";
}

size_t labels_without_extras(const std::string& body) { return only(decode_json(body)).labels.size(); }

}  // namespace

TEST_CASE("extras: a Volcengine event that loses 26 labels to the cap says 26, once") {
  // The contract labels and the one dimension; the tags come after them.
  const int room = 50 - static_cast<int>(labels_without_extras(volc_metric(0)));
  REQUIRE(room > 0);
  auto d = decode_json(volc_metric(room + 26));
  const Event& e = only(d);
  CHECK(e.labels.size() == 50);
  CHECK(e.labels.refused() == 0);  // Nothing past the cap reached the event: limits say nothing more.
  // Tags come before the dimension: room + 1 of them fit, 25 tags and the dimension do not.
  CHECK(label(e, "k" + std::to_string(room)) == "v");
  CHECK(label(e, "k" + std::to_string(room + 1)) == "<absent>");
  CHECK(label(e, "dim_resource_id") == "<absent>");
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0] ==
        "volc.metric: an event has more labels than Flashduty's 50; 26 vendor extras past the limit were left out");
}

TEST_CASE("extras: an extra whose name an earlier label holds is not counted as left out") {
  const int room = 50 - static_cast<int>(labels_without_extras(volc_metric(0)));
  // Tag "region" becomes tag_region (region is a contract label) and fills the event; a second
  // "region" names tag_region again, which the first holds whatever the cap.
  auto taken = decode_json(volc_metric(room - 1, R"({"Key":"region","Value":"a"},{"Key":"region","Value":"b"})"));
  CHECK(only(taken).labels.size() == 50);
  CHECK(label(only(taken), "tag_region") == "a");
  CHECK(taken.warnings.empty());
  auto one = decode_json(volc_metric(room, R"({"Key":"late","Value":"x"})"));
  REQUIRE(one.warnings.size() == 1);
  CHECK(one.warnings[0].find("; 1 vendor extra past the limit was left out") != std::string::npos);
  auto exact = decode_json(volc_metric(room));
  CHECK(only(exact).labels.size() == 50);
  CHECK(exact.warnings.empty());
}

TEST_CASE("extras: an Alibaba event that loses 26 labels to the cap says 26, once") {
  const int room = 50 - static_cast<int>(labels_without_extras(ali_sysevent(0)));
  REQUIRE(room > 0);
  auto d = decode_json(ali_sysevent(room + 26));
  const Event& e = only(d);
  CHECK(e.labels.size() == 50);
  CHECK(e.labels.refused() == 0);
  REQUIRE(d.warnings.size() == 1);
  CHECK(d.warnings[0] ==
        "ali.sysevent: an event has more labels than Flashduty's 50; 26 vendor extras past the limit were left out");
}

TEST_CASE("extras: Volcengine keeps the text \"null\", Alibaba reads it as absent") {
  json::Value v("null");
  CHECK(extra_text(v, Vendor::Volcengine) == "null");
  CHECK(extra_text(v, Vendor::Alibaba).empty());
  json::Value n(rapidjson::kNullType);
  CHECK(extra_text(n, Vendor::Volcengine).empty());
}
