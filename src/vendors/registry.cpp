#include "vendors/alertmanager.h"
#include "vendors/alibaba.h"
#include "vendors/flashduty.h"
#include "vendors/format.h"
#include "vendors/huawei.h"
#include "vendors/tencent.h"
#include "vendors/volcengine.h"

namespace cmrelay {

const std::vector<const Format*>& all_formats() {
  static const std::vector<const Format*> formats{
      &volc::kMetricFormat,     &volc::kEventFormat,           &ali::kEventFormat,
      &ali::kThresholdFormat,   &ali::kSysEventFormat,         &ali::kCms2Format,
      &tencent::kAlarmFormat,   &huawei::kCesFormat,           &alertmanager::kWebhookFormat,
      &flashduty::kEventFormat, &flashduty::kDeadLetterFormat,
  };
  return formats;
}

}  // namespace cmrelay
