#include "vendors/alibaba.h"
#include "vendors/flashduty.h"
#include "vendors/format.h"
#include "vendors/volcengine.h"

namespace cmrelay {

const std::vector<const Format*>& all_formats() {
  static const std::vector<const Format*> formats{
      &volc::kMetricFormat,  &volc::kEventFormat, &ali::kEventFormat,       &ali::kThresholdFormat,
      &ali::kSysEventFormat, &ali::kCms2Format,   &flashduty::kEventFormat, &flashduty::kDeadLetterFormat,
  };
  return formats;
}

}  // namespace cmrelay
