// The Alertmanager webhook format, posted by Prometheus's Alertmanager, Grafana's webhook
// contact point and Alibaba ARMS ($alertmanager_content).
#pragma once

#include "vendors/format.h"

namespace cmrelay::alertmanager {

extern const Format kWebhookFormat;  // am.webhook: one event per element of alerts[]

}  // namespace cmrelay::alertmanager
