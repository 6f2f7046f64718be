// Huawei Cloud formats: Cloud Eye (CES) alarms, delivered through Simple Message Notification.
#pragma once

#include <string>

#include "json/parser.h"
#include "vendors/format.h"

namespace cmrelay::huawei {

extern const Format kCesFormat;  // hw.ces: an SMN HTTP(S) message carrying a Cloud Eye alarm

// SMN's message types (the body's type, and the X-SMN-MESSAGE-TYPE header).
inline constexpr std::string_view kSubscriptionConfirmation = "SubscriptionConfirmation";
inline constexpr std::string_view kUnsubscribeConfirmation = "UnsubscribeConfirmation";

// What a body that is SMN's subscription handshake asks for, for serve to act on. Empty type
// when body is not one.
struct SmnHandshake {
  std::string type;  // kSubscriptionConfirmation or kUnsubscribeConfirmation
  std::string topic_urn, subscribe_url;
};
SmnHandshake smn_handshake(const json::Value& body);

}  // namespace cmrelay::huawei
