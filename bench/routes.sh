#!/usr/bin/env bash
# Routing overhead: cmrelay convert over a large mixed corpus of Volcengine bodies, with and
# without a 50-case route file (regex, wildcard, cidr, num and exact conditions), and with
# the same file when every case falls through (each event then meets all 50: the worst case).
#   bench/routes.sh [BIN] [BODIES]      defaults: build/cmrelay, 200000
# The corpus and the route file live in a temporary directory, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/cmrelay}
bodies=${2:-200000}
runs=${RUNS:-3}
[ -x "$bin" ] || { echo "bench: no binary $bin (build first)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp" "$bodies" <<'PY'
import json, random, sys
out_dir, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
base = "samples/volcengine/"
metric = [json.load(open(base + f)) for f in
          ("metric-firing.json", "metric-recovered.json", "metric-multi-resource.json",
           "metric-notice.json", "nodata-firing.json")]
event = json.load(open(base + "event-disk-error.json"))
namespaces = ["VCM_ECS", "VCM_RDS_MySQL", "VCM_CLB", "VCM_TOS", "VCM_Redis", "VCM_Kafka"]
teams = ["checkout", "dba", "search", "payments", "infra", "mobile", "data", "sre"]
regions = ["cn-beijing", "cn-shanghai", "cn-guangzhou", "ap-southeast-1"]
def ip():
    if rnd.random() < 0.25:
        return "fd%02x:%x::%x" % (rnd.randrange(256), rnd.randrange(65536), rnd.randrange(65536))
    return "%d.%d.%d.%d" % (rnd.choice([10, 172, 192, 47, 101]), rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
with open(out_dir + "/corpus.ndjson", "w") as f:
    for i in range(n):
        if i % 10 == 9:
            b = json.loads(json.dumps(event))
            b["Id"] = "ev-%d" % i
            b["EventType"] = rnd.choice(["ecs:Disk:DiskError.Redeploy.Executing", "ecs:Instance:Stopped", "clb:Listener:HealthCheckFailed"])
        else:
            b = json.loads(json.dumps(metric[i % len(metric)]))
            b["RuleId"] = str(1856012345678900000 + i)
            b["Namespace"] = rnd.choice(namespaces)
            for key in ("Resources", "RecoveredResources", "NoDataResources"):
                for r in b.get(key, []):
                    r["Id"] = "i-%08x" % rnd.randrange(1 << 32)
                    r["Name"] = "%s-%s-%02d" % (rnd.choice(teams), rnd.choice(["api", "db", "web", "worker"]), rnd.randrange(40))
                    r["Region"] = rnd.choice(regions)
                    for m in r.get("Metrics", []):
                        m["CurrentValue"] = round(rnd.uniform(0, 300), 2)
            b["Tags"] = [{"Key": "team", "Value": rnd.choice(teams)}, {"Key": "ip", "Value": ip()}]
        f.write(json.dumps(b, ensure_ascii=False, separators=(",", ":")) + "\n")

lines = ["cases:"]
used = {"ops"}
regexes = ["^prod-.*cpu", "(?i)connections", "4xx|5xx", "^Recovered: ", "heartbeat$", "Disk(Error|Full)",
           "(?i)mysql", "threshold [0-9]{3}", "^No data: ", "on [a-z]+-api-[0-9]+"]
kinds = [
    lambda: ('title', 'IN', '["/%s/", "/%s/"]' % tuple(rnd.sample(regexes, 2))),
    lambda: ('labels.resource_name', 'IN', '["%s-*-1?", "*-%s-*"]' % (rnd.choice(teams), rnd.choice(["api", "db", "worker"]))),
    lambda: ('labels.ip', 'IN', '["cidr:10.%d.0.0/16", "cidr:fd%02x::/16"]' % (rnd.randrange(256), rnd.randrange(256))),
    lambda: ('labels.current_value', 'IN', '["num:gt:%d"]' % rnd.randrange(300)),
    lambda: ('labels.namespace', 'IN', '[VCM_RDS_MySQL, %s]' % rnd.choice(namespaces)),
    lambda: ('labels.region', 'NOTIN', '["cn-%s*", "/^ap-%s/"]' % (rnd.choice("bsg"), rnd.choice(["south", "north"]))),
]
for i in range(50):
    key, oper, vals = kinds[i % len(kinds)]()
    target = rnd.choice(teams + ["net", "hot", "db"])
    used.add(target)
    lines.append("  - name: case-%d" % (i + 1))
    lines.append("    if:")
    # A cheap exact gate (a team or a namespace), then the matcher under test.
    if i % 2 == 0:
        lines.append("      - {key: labels.team, oper: IN, vals: [%s]}" % rnd.choice(teams))
    else:
        lines.append("      - {key: labels.namespace, oper: IN, vals: [%s]}" % rnd.choice(namespaces))
    lines.append("      - {key: %s, oper: %s, vals: %s}" % (key, oper, vals))
    if i % 5 == 4:
        lines.append("      - {key: severity, oper: NOTIN, vals: [Ok]}")
    lines.append("    channels: [%s]" % target)
    lines.append("    fallthrough: %s" % ("true" if i % 4 == 3 else "false"))
lines.append("default: {channels: [ops]}")
lines = ["channels:"] + ['  %s: {url: "https://hooks.example.com/%s?token=${BENCH_TOKEN}"}' % (t, t) for t in sorted(used)] + lines
text = "\n".join(lines) + "\n"
open(out_dir + "/routes.yaml", "w").write(text)
# The worst case: every case falls through, so every event meets all 50.
open(out_dir + "/routes-all.yaml", "w").write(text.replace("fallthrough: false", "fallthrough: true"))
PY

export BENCH_TOKEN=bench
"$bin" routes check "$tmp/routes.yaml" >/dev/null || { "$bin" routes check "$tmp/routes.yaml"; exit 1; }
events=$("$bin" convert --routes "$tmp/routes.yaml" "$tmp/corpus.ndjson" 2>/dev/null | wc -l)
routed=$("$bin" convert --routes "$tmp/routes.yaml" "$tmp/corpus.ndjson" 2>/dev/null | grep -vc '"channels":\["ops"\]}$' || true)
echo "corpus: $bodies bodies, $(du -h "$tmp/corpus.ndjson" | cut -f1), $events events"
echo "route file: $(grep -c '^  - name:' "$tmp/routes.yaml") cases, each an exact gate (team or namespace) and a regex, wildcard, cidr, num or NOTIN condition; every 4th falls through; $routed events routed by a case, the rest by the default"

# Best of $runs runs of each, interleaved so that the load of a shared machine falls on all
# three alike: CPU (user + system, steadier than wall-clock time there) and wall seconds.
declare -A cpu wall
for _ in $(seq "$runs"); do
  for variant in plain routes all; do
    case $variant in
      plain) args=() ;;
      routes) args=(--routes "$tmp/routes.yaml") ;;
      all) args=(--routes "$tmp/routes-all.yaml") ;;
    esac
    /usr/bin/time -f "%U %S %e" -o "$tmp/time" "$bin" convert "${args[@]}" "$tmp/corpus.ndjson" >/dev/null 2>&1
    read -r user sys elapsed < <(tail -1 "$tmp/time")
    c=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    if [ -z "${cpu[$variant]:-}" ] || awk -v a="$c" -v b="${cpu[$variant]}" 'BEGIN { exit !(a < b) }'; then cpu[$variant]=$c; fi
    if [ -z "${wall[$variant]:-}" ] || awk -v a="$elapsed" -v b="${wall[$variant]}" 'BEGIN { exit !(a < b) }'; then wall[$variant]=$elapsed; fi
  done
done
overhead() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f %%", (b - a) / a * 100 }'; }
echo "best of $runs interleaved runs, CPU (user + system) and wall-clock seconds:"
echo "  convert:                               ${cpu[plain]} s CPU, ${wall[plain]} s wall"
echo "  convert --routes, 50 cases:            ${cpu[routes]} s CPU, ${wall[routes]} s wall:" \
     "overhead $(overhead "${cpu[plain]}" "${cpu[routes]}") CPU, $(overhead "${wall[plain]}" "${wall[routes]}") wall (target: under 20 %)"
echo "  convert --routes, all 50 fall through: ${cpu[all]} s CPU, ${wall[all]} s wall:" \
     "overhead $(overhead "${cpu[plain]}" "${cpu[all]}") CPU, $(overhead "${wall[plain]}" "${wall[all]}") wall (worst case)"
