# ali.event (Alibaba Cloud Monitor alert wrapper) -> Flashduty standard events, written as a
# jq program: the same mapping as cmrelay's src/vendors/ali_event.cpp in its main lines
# (severity and recovery, alert_key from the dedup id, title, description, contract labels,
# event content as labels, event_time), for bench/run to compare with.
# Run: jq -c -f bench/ali_event.jq < bodies.ndjson
def sev: {"CRITICAL": "Critical", "WARN": "Warning", "WARNING": "Warning", "INFO": "Info"}[. // "" | ascii_upcase] // "Info";
def snake: gsub("(?<a>[a-z0-9])(?<b>[A-Z])"; "\(.a)_\(.b)") | ascii_downcase | gsub("[^a-z0-9]+"; "_");
def esc: tostring | gsub("%"; "%25") | gsub("/"; "%2F");
def stamp: if . > 100000000000 then (. / 1000 | floor) else . end;
def readable: stamp | strftime("%Y-%m-%d %H:%M:%S UTC");
. as $b
| ($b.alert | if type == "string" then fromjson else . end) as $a
| ($a.meta.sysEventMeta // {}) as $s
| ($a.eventContentMap // ($a.eventRawContent | try fromjson catch {}) // {}) as $content
| ($a.alertStatus == "RESOLVED" or $a.alertStatus == "OK") as $resolved
| ($s.resourceId // $a.arn // "" | split("/") | last) as $rid
| {
    event_status: (if $resolved then "Ok" else ($a.severity // $b.severity // $s.level | sev) end),
    title_rule: ((if $resolved then "Recovered: " else "" end) + ($s.name // $a.eventName // $b.strategyName)
                 + " on " + ($s.instanceName // $rid) + " (" + ($s.regionId // "") + "): " + ($s.status // "")),
    alert_key: ("ali.event/" + ($a.dedupId // $a.traceId // "" | esc)),
    description: ([
        "Alert: \($a.alertStatus), severity \($a.severity)",
        "Event: \($s.name // $a.eventName) (id \($s.id // $a.traceId))",
        "Type: \($s.eventType // $a.eventType), status \($s.status), level \($s.level)",
        "Resource: \($s.instanceName // $rid) (\($rid)) in \($s.regionId)",
        "Product: \($s.product // $a.product)",
        "ARN: \($a.arn)",
        (if $a.timestamp then "Happened at: " + ($a.timestamp | readable) else empty end),
        "Content: \($content | tojson)",
        "Subscription: \($b.strategyName) (\($b.subscription.subscriptionUuid))",
        (if $b.time then "Pushed at: " + ($b.time | readable) else empty end),
        "Dedup id: \($a.dedupId)"
      ] | join("\n")),
    labels: ({source: "alibaba", format: "ali.event", account_id: ($b.userId // $a.userId), region: $s.regionId,
              resource_id: $rid, resource_name: $s.instanceName, rule_name: $b.strategyName,
              namespace: ($a.namespace // $s.product), event_type: ($s.name // $a.eventName),
              vendor_severity: ($a.severity // $b.severity), alert_status: $a.alertStatus, alert_source: $a.source,
              product: ($s.product // $a.product), status: $s.status, event_category: ($s.eventType // $a.eventType),
              dedup_id: $a.dedupId, trace_id: $a.traceId, event_id: $s.id, group_id: $s.groupId, arn: $a.arn,
              strategy_name: $b.strategyName, batch_id: $b.batchId,
              subscription_id: $b.subscription.subscriptionUuid, aliyun_id: $b.userInfo.aliyunId}
             + ($content | with_entries(.key |= "content_" + snake | .value |= (if type == "string" then . else tojson end)))
             | with_entries(select(.value != null and .value != ""))),
    event_time: ($a.timestamp // $b.time // 0 | stamp)
  }
