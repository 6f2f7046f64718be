#include "event/limits.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "text/utf8.h"

using namespace cmrelay;

TEST_CASE("limits: Flashduty's sizes, in code points, reported") {
  Event e;
  e.title = std::string(100, 'a');
  e.alert_key = "k";
  CHECK(enforce_limits(e).empty());

  for (int i = 0; i < 600; ++i) e.title += "\xE5\xAE\x9E";
  e.alert_key = std::string(300, 'k');
  for (int i = 0; i < 3000; ++i) e.description += "\xC3\xA9";
  for (int i = 0; i < 60; ++i) e.labels.add("l" + std::to_string(i), std::string(3000, 'v'));
  std::string cut = enforce_limits(e);
  CHECK(cut.find("title_rule cut to 512 characters") != std::string::npos);
  CHECK(cut.find("alert_key cut to 255 characters") != std::string::npos);
  CHECK(cut.find("description cut to 2048 characters") != std::string::npos);
  CHECK(cut.find("10 labels dropped (50 max)") != std::string::npos);
  CHECK(utf8::length(e.title) == 512);
  CHECK(utf8::valid(e.title));
  CHECK(e.alert_key.size() == 255);
  CHECK(utf8::length(e.description) == 2048);
  CHECK(utf8::valid(e.description));
  CHECK(e.labels.size() == 50);
  CHECK(e.labels[0].key == "l0");  // The first labels (the contract ones) are kept.
  CHECK(e.labels[49].value.size() == 2048);
}

TEST_CASE("labels: first writer wins, empty values are not stored, slots are reused") {
  Labels l;
  l.add("region", "cn-beijing");
  l.add("region", "other");
  l.add("empty", "");
  CHECK(l.size() == 1);
  CHECK(*l.find("region") == "cn-beijing");
  l.set("region", "cn-shanghai");
  CHECK(*l.find("region") == "cn-shanghai");
  l.clear();
  CHECK(l.empty());
  CHECK(l.find("region") == nullptr);
  l.add("a", "1");
  CHECK(l[0].key == "a");
}

TEST_CASE("labels: every key held is found, every other is not, through erasing, cutting and clearing") {
  // The lookups skip keys the filter has never seen: this checks it against a plain search
  // over many keys that share lengths and first and last bytes.
  Labels l;
  std::vector<std::string> held;
  auto plain_find = [&](const std::string& k) {
    for (const Label& x : l)
      if (x.key == k) return true;
    return false;
  };
  for (int round = 0; round < 3; ++round) {
    l.clear();
    held.clear();
    for (int i = 0; i < 200; ++i) {
      const std::string k = std::string(1, static_cast<char>('a' + i % 5)) + std::to_string(i * 7 % 31) +
                            std::string(static_cast<size_t>(i % 4), 'x') + std::to_string(round);
      l.add(k, "v");
      if (!plain_find(k)) CHECK(l.full());  // Refused only when full.
    }
    for (int i = 0; i < 300; ++i) {
      const std::string k =
          std::string(1, static_cast<char>('a' + i % 7)) + std::to_string(i % 40) + "x" + std::to_string(round);
      CHECK((l.find(k) != nullptr) == plain_find(k));
    }
    l.erase(3);
    l.erase(0);
    for (const Label& x : l) CHECK(l.find(x.key) == &x.value);
  }
  // A key cut short is found by its new text; set() replaces rather than appends.
  l.clear();
  l.add("a", "1");
  l.add(std::string(200, 'k') + "z", "2");
  CHECK(l.cut_key(1, 128));
  CHECK(l[1].key == std::string(128, 'k'));
  CHECK(l.find(std::string(128, 'k')) != nullptr);
  l.set(std::string(128, 'k'), "3");
  CHECK(l.size() == 2);
  CHECK(*l.find(std::string(128, 'k')) == "3");
  CHECK_FALSE(l.cut_key(0, 128));
  // An empty key (set() keeps one; add() refuses it) is found like any other.
  l.set("", "e");
  l.set("", "f");
  CHECK(l.size() == 3);
  CHECK(*l.find("") == "f");
}

TEST_CASE("a title that would start a Flashduty template is defused") {
  Event e;
  e.title = "[TPL]{{.Labels.x}} high";
  CHECK(defuse_template(e));
  CHECK(e.title == "(TPL){{.Labels.x}} high");
  CHECK_FALSE(defuse_template(e));
  e.title = " [TPL] not at the start";
  CHECK_FALSE(defuse_template(e));
  e.title = "[tpl] other case";
  CHECK_FALSE(defuse_template(e));
}
