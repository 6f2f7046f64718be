#!/usr/bin/env python3
"""Deterministic benchmark corpus for cmrelay.

    bench/gen.py SIZE OUTDIR       SIZE in bytes, with k/M/G suffix (default 1G)

Writes, into OUTDIR, files whose sizes add up to about SIZE, every body drawn from one
seeded generator (the same SIZE always gives the same bytes):

    volc.metric.ndjson   volc.metric bodies, 1-6 resources each, one per line
    volc.event.json      volc.event bodies, pretty-printed, concatenated
    ali.event.ndjson     ali.event bodies (Alibaba alert wrappers, from samples/alibaba/event-*.json)
    ali.sysevent.json    ali.sysevent bodies (Alibaba system events), pretty-printed, concatenated
    ali.threshold.form   ali.threshold bodies, form-encoded, one per line
    manifest.tsv         file, format, bodies, events expected, bytes

    bench/gen.py --routes          prints a 50-case route file for the corpus's labels

Formats the cmrelay under test does not know yet are skipped (--formats).
"""
import json
import random
import sys
import urllib.parse
from pathlib import Path

SHARES = {  # Share of the corpus bytes per file.
    "volc.metric.ndjson": 0.45,
    "volc.event.json": 0.10,
    "ali.event.ndjson": 0.25,
    "ali.sysevent.json": 0.05,
    "ali.threshold.form": 0.15,
}
FORMAT_OF = {
    "volc.metric.ndjson": "volc.metric",
    "volc.event.json": "volc.event",
    "ali.event.ndjson": "ali.event",
    "ali.sysevent.json": "ali.sysevent",
    "ali.threshold.form": "ali.threshold",
}

REGIONS = ["cn-beijing", "cn-shanghai", "cn-guangzhou", "ap-southeast-1", "cn-hongkong"]
LEVELS = ["critical", "warning", "notice"]
TYPES = ["Metric", "Metric", "Metric", "MetricRecovered", "MetricsNoData", "NoDataRecovered"]
TYPE_ARRAY = {"Metric": "Resources", "MetricRecovered": "RecoveredResources",
              "MetricsNoData": "NoDataResources", "NoDataRecovered": "NoDataRecoveredResources"}
METRICS = [("CpuTotal", "Percent", "CPU utilisation"), ("MemoryUsedUtilization", "Percent", "Memory usage"),
           ("DiskUsageUtilization", "Percent", "Disk usage"), ("NetTxBits", "bps", "Outbound traffic"),
           ("ConnectionUsage", "Percent", "Connection usage"), ("ActiveThreads", "Count", "Active threads")]
NAMESPACES = [("VCM_ECS", "Instance"), ("VCM_RDS_MySQL", "Instance"), ("VCM_CLB", "Listener"),
              ("VCM_Redis", "Instance")]
TEAMS = ["checkout", "payments", "search", "dba", "infra", "growth"]


def hexid(r, n):
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def volc_metric(r, t0):
    kind = r.choice(TYPES)
    ns, sub = r.choice(NAMESPACES)
    resources = []
    for _ in range(r.randint(1, 6)):
        rid = "i-" + hexid(r, 20)
        metrics = []
        for name, unit, desc in r.sample(METRICS, r.randint(1, 3)):
            threshold = r.choice([80, 85, 90, 95, 200])
            value = round(r.uniform(0, 120), 2)
            metrics.append({"Name": name, "Unit": unit, "Threshold": threshold,
                            "CurrentValue": value if r.random() < 0.8 else str(value),
                            "Description": desc, "Warning": value >= threshold})
        res = {"Id": rid, "Name": "%s-%02d" % (r.choice(TEAMS), r.randint(1, 99)), "Region": r.choice(REGIONS),
               "FirstAlertTime": t0 - r.randint(0, 3600), "LastAlertTime": t0, "AlertGroupId": "ag-" + hexid(r, 8),
               "ProjectName": "default", "Metrics": metrics,
               "Dimensions": [{"Name": "ResourceID", "NameCN": "实例ID", "Value": rid, "Description": ""}]}
        if kind in ("MetricsNoData", "NoDataRecovered"):
            res["NoDataMetrics" if kind == "MetricsNoData" else "DroppedMetrics"] = [m["Name"] for m in metrics]
        resources.append(res)
    body = {"Type": kind, "AccountId": str(2107650000 + r.randint(0, 9999)),
            "RuleName": "%s-%s" % (r.choice(TEAMS), r.choice(METRICS)[0].lower()),
            "RuleId": str(1856012345678900000 + r.randint(0, 99999)), "Namespace": ns, "SubNamespace": sub,
            "Level": r.choice(LEVELS),
            "HappenedAt": "2025-06-%02d %02d:%02d:00(UTC+08:00)" % (r.randint(1, 28), r.randint(0, 23), r.randint(0, 59)),
            "RuleCondition": "value above threshold for 3 consecutive periods",
            TYPE_ARRAY[kind]: resources, "Project": "default",
            "Tags": [{"Key": "team", "Value": r.choice(TEAMS)}, {"Key": "env", "Value": r.choice(["prod", "staging"])}]}
    return body, len(resources)


def volc_event(r, t0):
    eid = "%s-%s-%s" % (hexid(r, 8), hexid(r, 4), hexid(r, 12))
    region = r.choice(REGIONS)
    body = {"Type": "Event", "AccountId": "2107651234", "Region": region, "ProjectName": "retail", "Source": "ecs",
            "Id": eid, "EventType": "ecs:Disk:DiskError.Redeploy.Executing",
            "DescriptionCN": "云盘故障，实例正在重新部署", "HappenedAt": t0,
            "Details": {"specversion": "1.0", "id": eid, "source": "ecs", "volcregion": region,
                        "volcaccountid": "2107651234", "volcresourcename": "%s-%02d" % (r.choice(TEAMS), r.randint(1, 99)),
                        "subject": "i-" + hexid(r, 20), "time": "2025-06-17T06:05:00Z",
                        "data": {"diskId": "vol-" + hexid(r, 10), "operation": "Redeploy", "state": "Executing"}},
            "Rules": [{"RuleId": "er-%d" % r.randint(1000, 9999), "RuleName": "ecs-events-%d" % i,
                       "Level": r.choice(LEVELS)} for i in range(r.randint(1, 3))]}
    return body, 1


_ALI_EVENTS = []


def ali_event(r, t0):
    # Alibaba's alert wrapper is large and varied: the checked-in samples are the templates,
    # with fresh ids and times.
    if not _ALI_EVENTS:
        root = Path(__file__).resolve().parent.parent / "samples" / "alibaba"
        _ALI_EVENTS.extend(json.loads(p.read_text(encoding="utf-8")) for p in sorted(root.glob("event-*.json")))
    body = json.loads(json.dumps(r.choice(_ALI_EVENTS)))
    alert = body["alert"]
    alert["dedupId"] = "%s-%s-%s" % (hexid(r, 8), hexid(r, 4), hexid(r, 12))
    alert["traceId"] = "e-" + hexid(r, 16)
    alert["timestamp"] = t0 * 1000 + r.randint(0, 999)
    body["time"] = body["startTime"] = alert["timestamp"]
    body["batchId"] = "batch-" + hexid(r, 12)
    return body, 1


def ali_sysevent(r, t0):
    body = {"product": "ECS", "resourceId": "acs:ecs:cn-hangzhou:1270676679546704:instance/i-" + hexid(r, 20),
            "level": r.choice(["CRITICAL", "WARN", "INFO"]), "instanceName": "%s-%02d" % (r.choice(TEAMS), r.randint(1, 99)),
            "regionId": r.choice(REGIONS), "groupId": str(r.randint(1000, 9999)),
            "name": "Instance:StateChange", "id": "%s-%s-%s" % (hexid(r, 8), hexid(r, 4), hexid(r, 12)),
            "eventTime": "20250314T%02d%02d%02d.120+0800" % (r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)),
            "userId": "1270676679546704", "status": "Normal",
            "content": {"resourceId": "i-" + hexid(r, 20), "resourceType": "ALIYUN::ECS::Instance",
                        "state": r.choice(["Stopping", "Running", "Stopped"])}}
    return body, 1


def ali_threshold(r, t0):
    iid = "i-" + hexid(r, 20)
    fields = [("alertName", "cpu-high"), ("alertState", r.choice(["ALERT", "OK"])), ("curValue", "%.2f" % r.uniform(0, 100)),
              ("dimensions", "{userId=1270676679546704, instanceId=%s}" % iid), ("expression", "$Average>=90"),
              ("instanceName", "%s-%02d" % (r.choice(TEAMS), r.randint(1, 99))), ("metricName", "CPUUtilization"),
              ("metricProject", "acs_ecs_dashboard"), ("namespace", "acs_ecs_dashboard"),
              ("preTriggerLevel", "WARN"), ("ruleId", "rule-" + hexid(r, 10)), ("regionId", r.choice(REGIONS)),
              ("timestamp", str(t0 * 1000)), ("triggerLevel", r.choice(["CRITICAL", "WARN", "INFO"])),
              ("userId", "1270676679546704"), ("lastTime", "1 minute")]
    return urllib.parse.urlencode(fields), 1


MAKERS = {"volc.metric": volc_metric, "volc.event": volc_event, "ali.event": ali_event,
          "ali.sysevent": ali_sysevent, "ali.threshold": ali_threshold}


def routes(out):
    """A 50-case route file over the corpus's labels: exact gates, regexes, wildcards, num:
    comparisons and NOTIN, every fourth case falling through, and a default."""
    w = out.write
    w("channels:\n")
    for i in range(10):
        w("  ch%d: {url: \"https://hooks.example.com/ch%d\"}\n" % (i, i))
    w("cases:\n")
    gates = ["labels.team", "labels.namespace", "labels.region", "severity"]
    values = {"labels.team": TEAMS, "labels.namespace": [n for n, _ in NAMESPACES] + ["acs_ecs_dashboard"],
              "labels.region": REGIONS, "severity": ["Critical", "Warning", "Info", "Ok"]}
    extra = ['{key: title, oper: IN, vals: ["/(cpu|disk|mem)/"]}',
             '{key: labels.event_type, oper: IN, vals: ["*Metric*", "Instance:*"]}',
             '{key: labels.current_value, oper: IN, vals: ["num:gt:50"]}',
             '{key: labels.resource_id, oper: NOTIN, vals: ["i-0*", "/^acs:/"]}',
             '{key: labels.env, oper: IN, vals: [prod, staging]}']
    for i in range(50):
        gate = gates[i % len(gates)]
        vals = values[gate]
        w("  - name: case-%d\n    if:\n" % (i + 1))
        w("      - {key: %s, oper: IN, vals: [%s]}\n" % (gate, vals[i % len(vals)]))
        w("      - %s\n" % extra[i % len(extra)])
        w("    channels: [ch%d]\n    fallthrough: %s\n" % (i % 10, "true" if i % 4 == 3 else "false"))
    w("default:\n  channels: [ch0]\n")


def parse_size(text):
    text = text.strip()
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if mult > 1 else text) * mult)


def main():
    if sys.argv[1:] == ["--routes"]:
        routes(sys.stdout)
        return
    args = [a for a in sys.argv[1:] if not a.startswith("--formats=")]
    formats = None
    for a in sys.argv[1:]:
        if a.startswith("--formats="):
            formats = set(a.split("=", 1)[1].split(","))
    size = parse_size(args[0]) if args else 1 << 30
    out = Path(args[1] if len(args) > 1 else "bench/out")
    out.mkdir(parents=True, exist_ok=True)
    files = {f: s for f, s in SHARES.items() if formats is None or FORMAT_OF[f] in formats}
    total_share = sum(files.values())
    manifest = []
    for fname, share in files.items():
        fmt = FORMAT_OF[fname]
        r = random.Random(fname)  # One seed per file: deterministic whatever else is generated.
        target = int(size * share / total_share)
        pretty = fname.endswith(".json")
        # A pool of 2000 distinct bodies, repeated: fast enough for a gigabyte.
        pool = []
        for i in range(2000):
            body, events = MAKERS[fmt](r, 1749996300 + i)
            pool.append((body, events))
        bodies = events = written = 0
        with open(out / fname, "w", encoding="utf-8") as fh:
            i = 0
            chunk = []
            while written < target:
                body, n = pool[i % len(pool)]
                if isinstance(body, str):
                    text = body + "\n"
                elif pretty:
                    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
                else:
                    text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n"
                chunk.append(text)
                written += len(text.encode("utf-8"))
                bodies += 1
                events += n
                i += 1
                if len(chunk) >= 4096:
                    fh.write("".join(chunk))
                    chunk = []
            fh.write("".join(chunk))
        manifest.append((fname, fmt, bodies, events, written))
    with open(out / "manifest.tsv", "w") as fh:
        for row in manifest:
            fh.write("\t".join(map(str, row)) + "\n")


if __name__ == "__main__":
    main()
