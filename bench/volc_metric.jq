# volc.metric -> Flashduty standard events, written as a jq program: the same mapping as
# cmrelay's src/vendors/volc_metric.cpp (one event per resource of the array Type names,
# severity, alert_key, title, description, contract labels, tags, dimensions, event_time),
# for bench/run to compare with. Run: jq -c -f bench/volc_metric.jq < bodies.ndjson
def arr: {"Metric": "Resources", "MetricRecovered": "RecoveredResources",
          "MetricsNoData": "NoDataResources", "NoDataRecovered": "NoDataRecoveredResources"}[.Type] // "Resources";
def recovered: .Type == "MetricRecovered" or .Type == "NoDataRecovered";
def nodata: .Type == "MetricsNoData" or .Type == "NoDataRecovered";
def status: if recovered then "Ok"
  else ({"critical": "Critical", "warning": "Warning", "notice": "Info"}[(.Level // "") | ascii_downcase] // "Info") end;
def esc: tostring | gsub("%"; "%25") | gsub("/"; "%2F");
def unit: if . == "Percent" then "%" elif . == null or . == "" or . == "Count" or . == "None" then "" else " " + . end;
def metric_text: "\(.Name) \(.CurrentValue)\(.Unit | unit) (threshold \(.Threshold)\(.Unit | unit))";
def snake: gsub("(?<a>[a-z0-9])(?<b>[A-Z])"; "\(.a)_\(.b)") | ascii_downcase | gsub("[^a-z0-9]+"; "_");
def stamp: if . > 100000000000 then (. / 1000 | floor) else . end;
def readable: stamp | strftime("%Y-%m-%d %H:%M:%S UTC");
. as $b
| ($b[arr] // []) as $res
| (if ($res | length) == 0 then [{}] else $res end)[]
| . as $r
| ([$r.Metrics // [] | .[] | select(.Warning == true)] + ($r.Metrics // []))[0] as $m
| ([$r.Dimensions // [] | .[] | "\(.Name)=\(.Value)"] | sort | join(",")) as $dims
| {
    event_status: ($b | status),
    title_rule: ((if $b.Type == "MetricRecovered" then "Recovered: " elif $b.Type == "MetricsNoData" then "No data: "
                  elif $b.Type == "NoDataRecovered" then "Data resumed: " else "" end)
                 + ($b.RuleName // $b.RuleId) + " on " + ($r.Name // $r.Id // "")
                 + (if $m then ": " + ($m | metric_text) else "" end)),
    alert_key: ("volc.metric/" + ([$b.RuleId, $r.Id, $dims] + (if $b | nodata then ["nodata"] else [] end)
                                 | map(. // "" | esc) | join("/"))),
    description: ([
        "Policy: \($b.RuleName) (rule \($b.RuleId)), level \($b.Level)",
        (if $b.RuleCondition then "Condition: \($b.RuleCondition)" else empty end),
        "Resource: \($r.Name // $r.Id) (\($r.Id)) in \($r.Region)",
        "Namespace: \($b.Namespace) / \($b.SubNamespace)",
        "Metrics:",
        ($r.Metrics // [] | .[] | "- " + metric_text + (if .Warning then " [breached]" else "" end)),
        (if $r.FirstAlertTime then "First alert: " + ($r.FirstAlertTime | readable) else empty end),
        (if $r.LastAlertTime then "Last alert: " + ($r.LastAlertTime | readable) else empty end)
      ] | join("\n")),
    labels: ({source: "volcengine", format: "volc.metric", account_id: $b.AccountId, region: $r.Region,
              resource_id: $r.Id, resource_name: $r.Name, rule_id: $b.RuleId, rule_name: $b.RuleName,
              namespace: $b.Namespace, sub_namespace: $b.SubNamespace, metric: $m.Name,
              current_value: ($m.CurrentValue | if . == null then null else tostring end),
              threshold: ($m.Threshold | if . == null then null else tostring end), unit: $m.Unit,
              event_type: $b.Type, vendor_severity: $b.Level, project: $b.Project, project_name: $r.ProjectName,
              alert_group_id: $r.AlertGroupId}
             + ([$b.Tags // [] | .[] | {key: (.Key | snake), value: .Value}] | from_entries)
             + ([$r.Dimensions // [] | .[] | {key: ("dim_" + (.Name | snake)), value: .Value}] | from_entries)
             | with_entries(select(.value != null and .value != ""))),
    event_time: ($r.LastAlertTime // 0 | stamp)
  }
