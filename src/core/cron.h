// Cron expressions: the standard five fields (minute hour day-of-month month
// day-of-week), evaluated in UTC, as schedules use them (docs/schedules.md).
//
// Each field is `*` or a comma list of values, ranges `a-b` and steps
// (`*/15`, `1-30/5`, `5/10` = `5-max/10`). Day-of-week is 0-7 with both 0
// and 7 Sunday. Names (`mon`, `jan`) and the `@daily` shorthands are not
// accepted. When both day-of-month and day-of-week are restricted (neither
// starts with `*`), a day matches when either does: classic Vixie cron.
//
// Not guaranteed: time zones (UTC only) or seconds (occurrences fall on whole
// minutes).
//
// Thread-safety: CronSpec is immutable after parse(); share it freely.
#pragma once

#include <bitset>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"

namespace ff::core {

class CronSpec {
 public:
  // kValidation naming the bad field ("cron: hour: 24 is out of range 0-23"),
  // also for an expression that can never match (February 30).
  static Result<CronSpec> parse(std::string_view expr);

  // The first occurrence strictly after `t`. Always found for a parsed spec.
  SystemTime next_after(SystemTime t) const;

  const std::string& text() const { return text_; }

 private:
  CronSpec() = default;
  // Whether a day (day of month 1-31, weekday with Sunday 0) matches.
  bool day_matches(unsigned dom, unsigned dow) const;
  // next_after, or SystemTime::max() when nothing matches within the horizon.
  SystemTime search(SystemTime t) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> dom_;     // 1..31
  std::bitset<13> months_;  // 1..12
  std::bitset<7> dow_;      // 0..6, Sunday 0
  bool dom_star_ = false;   // the field starts with '*'
  bool dow_star_ = false;
};

}  // namespace ff::core
