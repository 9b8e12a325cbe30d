#include "core/cron.h"

#include <charconv>
#include <chrono>
#include <vector>

namespace ff::core {

namespace {

struct FieldRange {
  const char* name;
  unsigned lo;
  unsigned hi;
};

constexpr FieldRange kFields[] = {
    {"minute", 0, 59}, {"hour", 0, 23},       {"day-of-month", 1, 31},
    {"month", 1, 12},  {"day-of-week", 0, 7},
};

// The horizon of the search: long enough for any leap day (2096 -> 2104) and
// every weekday/date combination of the 28-year calendar cycle.
constexpr int kSearchDays = 366 * 30;

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

Status field_error(const FieldRange& f, const std::string& what) {
  return ValidationError(std::string("cron: ") + f.name + ": " + what);
}

Result<unsigned> number(const FieldRange& f, std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return field_error(f, "'" + std::string(s) + "' is not a number");
  }
  if (v < f.lo || v > f.hi) {
    return field_error(f, std::to_string(v) + " is out of range " + std::to_string(f.lo) + "-" +
                              std::to_string(f.hi));
  }
  return v;
}

// The values one field selects, as a bit per value in f.lo..f.hi.
Result<std::vector<bool>> parse_field(const FieldRange& f, std::string_view text) {
  std::vector<bool> bits(f.hi + 1, false);
  if (text.empty()) return field_error(f, "empty");
  for (std::string_view item : split(text, ',')) {
    if (item.empty()) return field_error(f, "empty list item in '" + std::string(text) + "'");
    unsigned step = 1;
    std::vector<std::string_view> parts = split(item, '/');
    if (parts.size() > 2) return field_error(f, "more than one '/' in '" + std::string(item) + "'");
    if (parts.size() == 2) {
      const FieldRange steps{f.name, 1, f.hi + 1};
      FF_ASSIGN_OR_RETURN(step, number(steps, parts[1]));
    }
    std::string_view range = parts[0];
    unsigned lo = f.lo, hi = f.hi;
    if (range != "*") {
      std::vector<std::string_view> ends = split(range, '-');
      if (ends.size() > 2) return field_error(f, "bad range '" + std::string(range) + "'");
      FF_ASSIGN_OR_RETURN(lo, number(f, ends[0]));
      if (ends.size() == 2) {
        FF_ASSIGN_OR_RETURN(hi, number(f, ends[1]));
        if (hi < lo) return field_error(f, "range '" + std::string(range) + "' runs backwards");
      } else if (parts.size() == 1) {
        hi = lo;  // a single value; "5/10" keeps hi: 5, 15, 25, ...
      }
    }
    for (unsigned v = lo; v <= hi; v += step) bits[v] = true;
  }
  return bits;
}

template <size_t N>
void copy_bits(const std::vector<bool>& from, std::bitset<N>& to) {
  for (size_t i = 0; i < N && i < from.size(); ++i) to[i] = from[i];
}

}  // namespace

Result<CronSpec> CronSpec::parse(std::string_view expr) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < expr.size()) {
    while (i < expr.size() && (expr[i] == ' ' || expr[i] == '\t')) ++i;
    size_t start = i;
    while (i < expr.size() && expr[i] != ' ' && expr[i] != '\t') ++i;
    if (i > start) fields.push_back(expr.substr(start, i - start));
  }
  if (fields.size() != 5) {
    return ValidationError(
        "cron: expected 5 fields (minute hour day-of-month month day-of-week), got " +
        std::to_string(fields.size()));
  }
  CronSpec spec;
  spec.text_ = std::string(expr);
  std::vector<bool> bits[5];
  for (int f = 0; f < 5; ++f) {
    FF_ASSIGN_OR_RETURN(bits[f], parse_field(kFields[f], fields[f]));
  }
  copy_bits(bits[0], spec.minutes_);
  copy_bits(bits[1], spec.hours_);
  copy_bits(bits[2], spec.dom_);
  copy_bits(bits[3], spec.months_);
  copy_bits(bits[4], spec.dow_);
  if (bits[4][7]) spec.dow_[0] = true;  // 7 is Sunday too
  spec.dom_star_ = fields[2].front() == '*';
  spec.dow_star_ = fields[4].front() == '*';
  // Any start will do: a spec that matches at all matches within the horizon
  // of every start.
  if (spec.search(from_unix_seconds(946'684'800)) == SystemTime::max()) {
    return ValidationError("cron: day-of-month: never occurs in the months given");
  }
  return spec;
}

bool CronSpec::day_matches(unsigned dom, unsigned dow) const {
  if (dom_star_ || dow_star_) return dom_[dom] && dow_[dow];
  return dom_[dom] || dow_[dow];
}

SystemTime CronSpec::next_after(SystemTime t) const { return search(t); }

SystemTime CronSpec::search(SystemTime t) const {
  using namespace std::chrono;
  auto start = floor<minutes>(t) + minutes(1);
  sys_days day = floor<days>(start);
  auto minute_of_day = duration_cast<minutes>(start - day).count();
  for (int n = 0; n < kSearchDays; ++n, day += days(1), minute_of_day = 0) {
    year_month_day ymd{day};
    if (!months_[static_cast<unsigned>(ymd.month())]) continue;
    if (!day_matches(static_cast<unsigned>(ymd.day()), weekday(day).c_encoding())) continue;
    for (auto h = minute_of_day / 60; h < 24; ++h) {
      if (!hours_[h]) continue;
      for (auto m = h == minute_of_day / 60 ? minute_of_day % 60 : 0; m < 60; ++m) {
        if (minutes_[m]) return SystemTime(day) + hours(h) + minutes(m);
      }
    }
  }
  return SystemTime::max();
}

}  // namespace ff::core
