#include "route/matcher.h"

#include <doctest/doctest.h>
#include <re2/re2.h>

#include <cstdint>
#include <vector>

using cmrelay::route::Matcher;

namespace {

Matcher compiled(const std::string& text) {
  Matcher m;
  std::string error;
  REQUIRE_MESSAGE(m.compile(text, error), error);
  return m;
}

std::string compile_error(const std::string& text) {
  Matcher m;
  std::string error;
  CHECK_FALSE(m.compile(text, error));
  return error;
}

}  // namespace

TEST_CASE("exact values are whole and case-sensitive") {
  Matcher m = compiled("Critical");
  CHECK(m.kind() == Matcher::Exact);
  CHECK(m.matches("Critical"));
  CHECK_FALSE(m.matches("critical"));
  CHECK_FALSE(m.matches("Critical2"));
  CHECK_FALSE(m.matches(""));
  CHECK(compiled("a\\b").matches("a\\b"));  // Backslashes are literal outside wildcards.
}

TEST_CASE("\"*\" matches any present value, even an empty one") {
  Matcher m = compiled("*");
  CHECK(m.kind() == Matcher::Any);
  CHECK(m.matches(""));
  CHECK(m.matches("x"));
}

TEST_CASE("regex is a partial match unless anchored") {
  CHECK(compiled("/rds/").matches("acs_rds_dashboard"));
  CHECK_FALSE(compiled("/^rds/").matches("acs_rds_dashboard"));
  CHECK(compiled("/^acs_rds/").matches("acs_rds_dashboard"));
  CHECK_FALSE(compiled("/^acs_rds$/").matches("acs_rds_dashboard"));
  CHECK(compiled("/(?i)CRITICAL/").matches("critical"));
  CHECK(compiled("//").matches("anything"));
  // RE2's defaults, as Flashduty: . does not match a newline unless the regex opts in.
  CHECK_FALSE(compiled("/a.c/").matches("a\nc"));
  CHECK(compiled("/(?s)a.c/").matches("a\nc"));
  CHECK(compiled("/a.c/").matches("abc"));
}

TEST_CASE("an invalid regex reports RE2's message; Perl-only syntax is invalid") {
  CHECK(compile_error("/(/") == "invalid regex /(/: missing ): (");
  CHECK(compile_error("/a(?=b)/").find("invalid regex /a(?=b)/: invalid perl operator") == 0);
  CHECK(compile_error("/(a)\\1/").find("invalid regex") == 0);
}

TEST_CASE("wildcards: * any run, ? one character, the rest literal") {
  Matcher m = compiled("ecs:Disk:*");
  CHECK(m.kind() == Matcher::Wildcard);
  CHECK(m.matches("ecs:Disk:DiskError.Redeploy"));
  CHECK(m.matches("ecs:Disk:"));
  CHECK_FALSE(m.matches("xecs:Disk:a"));  // Whole value: anchored at both ends.
  CHECK(compiled("cn-guang?hou").matches("cn-guangzhou"));
  CHECK_FALSE(compiled("cn-guang?hou").matches("cn-guanghou"));
  CHECK(compiled("?").matches("中"));             // One character, not one byte.
  CHECK_FALSE(compiled("a.b*").matches("axbc"));  // Regex characters are literal.
  CHECK(compiled("a.b*").matches("a.bc"));
  CHECK(compiled("(x)+*").matches("(x)+y"));
}

TEST_CASE("wildcard escapes: \\* \\? \\\\ are literal") {
  Matcher star = compiled("deploy \\* done*");
  CHECK(star.matches("deploy * done!"));
  CHECK_FALSE(star.matches("deploy x done!"));
  Matcher only_literal = compiled("what\\?");
  CHECK(only_literal.matches("what?"));
  CHECK_FALSE(only_literal.matches("whatx"));
  CHECK(compiled("c:\\\\*").matches("c:\\temp"));
}

TEST_CASE("wildcards: a backslash before anything but * ? \\ is literal") {
  Matcher path = compiled("C:\\logs\\app-*.log");  // As written in YAML: 'C:\logs\app-*.log'.
  CHECK(path.matches("C:\\logs\\app-1.log"));
  CHECK_FALSE(path.matches("C:logsapp-1.log"));
  CHECK(compiled("a\\b?").matches("a\\bc"));
  CHECK_FALSE(compiled("a\\b?").matches("abc"));
  CHECK(compiled("end*\\").matches("endx\\"));  // A trailing backslash is literal too.
  CHECK(compiled("x\\\\\\*").matches("x\\*"));  // x\\\* : a literal \ then a literal *.
  CHECK_FALSE(compiled("x\\\\\\*").matches("x\\yz"));
}

TEST_CASE("cidr: IPv4 and IPv6 ranges") {
  Matcher v4 = compiled("cidr:10.0.0.0/8");
  CHECK(v4.kind() == Matcher::Cidr);
  CHECK(v4.matches("10.20.30.40"));
  CHECK_FALSE(v4.matches("11.0.0.1"));
  CHECK_FALSE(v4.matches("10.0.0.1 "));
  CHECK_FALSE(v4.matches("host-10"));
  CHECK_FALSE(v4.matches("::1"));  // Families must agree...
  CHECK_FALSE(v4.matches("fd00::10.0.0.1"));
  CHECK(compiled("cidr:192.168.1.0/25").matches("192.168.1.127"));
  CHECK_FALSE(compiled("cidr:192.168.1.0/25").matches("192.168.1.128"));
  CHECK(compiled("cidr:0.0.0.0/0").matches("8.8.8.8"));
  CHECK(compiled("cidr:8.8.8.8").matches("8.8.8.8"));  // No length: one address.
  CHECK_FALSE(compiled("cidr:8.8.8.8").matches("8.8.8.9"));
  Matcher v6 = compiled("cidr:fd00::/8");
  CHECK(v6.matches("fd12:3456::1"));
  CHECK_FALSE(v6.matches("2001:db8::1"));
  CHECK_FALSE(v6.matches("10.0.0.1"));
  CHECK(compiled("cidr:2001:db8::/33").matches("2001:db8:7fff::1"));
  CHECK_FALSE(compiled("cidr:2001:db8::/33").matches("2001:db8:8000::1"));
}

TEST_CASE("cidr: an IPv4-mapped IPv6 address or range is IPv4") {
  Matcher v4 = compiled("cidr:10.0.0.0/8");
  CHECK(v4.matches("::ffff:10.1.2.3"));
  CHECK(v4.matches("::FFFF:a01:203"));
  CHECK_FALSE(v4.matches("::ffff:11.1.2.3"));
  CHECK_FALSE(v4.matches("::10.1.2.3"));                  // IPv4-compatible, not mapped: IPv6.
  Matcher mapped = compiled("cidr:::ffff:10.0.0.0/104");  // 10.0.0.0/8.
  CHECK(mapped.matches("10.200.0.1"));
  CHECK(mapped.matches("::ffff:10.200.0.1"));
  CHECK_FALSE(mapped.matches("11.0.0.1"));
  CHECK(compiled("cidr:::ffff:8.8.8.8").matches("8.8.8.8"));
  CHECK(compiled("cidr:::ffff:0:0/96").matches("1.2.3.4"));  // Every IPv4 address.
  // Wider than the mapped block: an IPv6 range, which IPv4 values (mapped or not) never meet.
  Matcher wide = compiled("cidr:::ffff:0.0.0.0/95");
  CHECK_FALSE(wide.matches("1.2.3.4"));
  CHECK_FALSE(wide.matches("::ffff:1.2.3.4"));
  CHECK(wide.matches("::fffe:0:1"));
  CHECK_FALSE(compiled("cidr:fd00::/8").matches("::ffff:10.1.2.3"));
  CHECK(compile_error("cidr:::ffff:10.0.0.0/129").find("prefix length must be 0 to 128") != std::string::npos);
}

TEST_CASE("cidr: the range a value with host bits set means") {
  CHECK(compiled("cidr:10.1.2.3/8").cidr_network() == "10.0.0.0/8");
  CHECK(compiled("cidr:10.1.2.3/8").matches("10.200.0.1"));  // Still loads, as 10.0.0.0/8.
  CHECK(compiled("cidr:192.168.1.130/25").cidr_network() == "192.168.1.128/25");
  CHECK(compiled("cidr:fd12::1/8").cidr_network() == "fd00::/8");
  CHECK(compiled("cidr:::ffff:10.1.2.3/104").cidr_network() == "10.0.0.0/8");
  CHECK(compiled("cidr:10.0.0.0/8").cidr_network().empty());
  CHECK(compiled("cidr:10.1.2.3").cidr_network().empty());
  CHECK(compiled("cidr:fd00::/8").cidr_network().empty());
  CHECK(compiled("cidr:0.0.0.0/0").cidr_network().empty());
  CHECK(compiled("num:gt:1").cidr_network().empty());
}

TEST_CASE("malformed cidr: values are load errors") {
  CHECK(compile_error("cidr:10.0.0/8").find("malformed cidr: value 'cidr:10.0.0/8'") == 0);
  CHECK(compile_error("cidr:10.0.0.0/33").find("prefix length must be 0 to 32") != std::string::npos);
  CHECK(compile_error("cidr:fd00::/129").find("prefix length must be 0 to 128") != std::string::npos);
  CHECK(compile_error("cidr:10.0.0.0/").find("malformed cidr") == 0);
  CHECK(compile_error("cidr:10.0.0.0/8x").find("malformed cidr") == 0);
  CHECK(compile_error("cidr:").find("malformed cidr") == 0);
}

TEST_CASE("num: compares numbers; a non-number never matches") {
  CHECK(compiled("num:gt:90").matches("96.35"));
  CHECK_FALSE(compiled("num:gt:90").matches("90"));
  CHECK(compiled("num:ge:90").matches("90"));
  CHECK(compiled("num:lt:0.5").matches("-3"));
  CHECK_FALSE(compiled("num:lt:0.5").matches("0.5"));
  CHECK(compiled("num:le:0.5").matches("0.5"));
  CHECK(compiled("num:gt:-1e3").matches("-999"));
  CHECK_FALSE(compiled("num:gt:90").matches("96.35%"));
  CHECK_FALSE(compiled("num:gt:90").matches("high"));
  CHECK_FALSE(compiled("num:gt:90").matches(""));
  CHECK_FALSE(compiled("num:gt:90").matches(" 96"));
  CHECK(compiled("num:gt:90").matches("+96"));
  CHECK(compiled("num:lt:1").matches(".5"));
  CHECK(compiled("num:lt:1").matches("-.5"));
  CHECK(compiled("num:gt:90").matches("1e3"));
}

TEST_CASE("num: inf, nan and overflowing values are not numbers") {
  for (const char* v : {"inf",   "-inf",   "+inf", "INF", "Infinity", "infinity", "NaN", "nan", "-nan", "nan(1)",
                        "1e400", "-1e400", "0x10", "+",   "-",        ".",        "-.",  ".e1", "++1",  "+-1"}) {
    CAPTURE(v);
    CHECK_FALSE(compiled("num:gt:90").matches(v));
    CHECK_FALSE(compiled("num:lt:90").matches(v));
    CHECK_FALSE(compiled("num:ge:-1e308").matches(v));
    double d = 0;
    CHECK_FALSE(cmrelay::route::parse_number(v, d));
  }
}

TEST_CASE("malformed num: values are load errors") {
  for (const char* bad : {"num:eq:5", "num:gt:abc", "num:gt:", "num:gt", "num:gt:5x", "num:", "num:gt:nan",
                          "num:gt:inf", "num:lt:-Infinity", "num:ge:1e400", "num:le:NaN"}) {
    CHECK(compile_error(bad) == std::string("malformed num: value '") + bad + "' (expected num:gt|ge|lt|le:NUMBER)");
  }
}

TEST_CASE("wildcards agree with an RE2 reference on many patterns and values") {
  // The reference: * -> .*, ? -> . (one UTF-8 character), \* \? \\ -> that character, the
  // rest (a backslash before anything else too) quoted, whole value.
  auto reference = [](const std::string& w, const std::string& v) {
    std::string re;
    for (size_t i = 0; i < w.size(); ++i) {
      char c = w[i];
      if (c == '\\' && i + 1 < w.size() && (w[i + 1] == '*' || w[i + 1] == '?' || w[i + 1] == '\\')) {
        re += RE2::QuoteMeta(std::string(1, w[++i]));
        continue;
      }
      re += c == '*' ? std::string(".*") : c == '?' ? std::string(".") : RE2::QuoteMeta(std::string(1, c));
    }
    RE2::Options o;
    o.set_dot_nl(true);
    return RE2::FullMatch(v, RE2(re, o));
  };
  const std::vector<std::string> pattern_parts = {"a", "b", "*", "?", "ab", "中", "\\", "\\*", "\\?"};
  const std::vector<std::string> value_parts = {"a", "b", "中", "ab", "\\", "*", "?"};
  uint32_t seed = 12345;
  auto next = [&seed](size_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
  };
  int checked = 0;
  int escapes = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string w, v;
    for (size_t k = 0, n = 1 + next(5); k < n; ++k) w += pattern_parts[next(pattern_parts.size())];
    for (size_t k = 0, n = next(7); k < n; ++k) v += value_parts[next(value_parts.size())];
    if (w.find_first_of("*?") == std::string::npos) continue;  // Not a wildcard.
    CAPTURE(w);
    CAPTURE(v);
    CHECK(compiled(w).matches(v) == reference(w, v));
    ++checked;
    escapes += w.find('\\') != std::string::npos;
  }
  CHECK(checked > 1000);
  CHECK(escapes > 300);
}
