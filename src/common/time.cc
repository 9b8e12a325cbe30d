#include "common/time.h"

namespace ff {

namespace {
// Formatted by hand: snprintf and gmtime_r take locale and time-zone locks
// shared by all threads, and timestamps are on every JSON view.
void put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

std::string format_with(SystemTime t, bool millis) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  int ms = static_cast<int>(duration_cast<milliseconds>(t - secs).count());
  auto day = floor<days>(secs);
  year_month_day ymd{day};
  // 64-bit nanoseconds reach from 1677 to 2262: always four digits.
  static_assert(std::is_same_v<SystemTime::period, std::nano> && sizeof(SystemTime::rep) == 8);
  auto year = static_cast<unsigned>(static_cast<int>(ymd.year()));
  hh_mm_ss<seconds> hms{secs - day};
  char buf[] = "0000-00-00T00:00:00.000Z";
  put_digits(buf, year, 4);
  put_digits(buf + 5, static_cast<unsigned>(ymd.month()), 2);
  put_digits(buf + 8, static_cast<unsigned>(ymd.day()), 2);
  put_digits(buf + 11, static_cast<unsigned>(hms.hours().count()), 2);
  put_digits(buf + 14, static_cast<unsigned>(hms.minutes().count()), 2);
  put_digits(buf + 17, static_cast<unsigned>(hms.seconds().count()), 2);
  if (!millis) {
    buf[19] = 'Z';
    return std::string(buf, 20);
  }
  put_digits(buf + 20, static_cast<unsigned>(ms), 3);
  return std::string(buf, 24);
}

bool read_digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}
}  // namespace

std::string format_rfc3339(SystemTime t) { return format_with(t, false); }
std::string format_rfc3339_ms(SystemTime t) { return format_with(t, true); }

Result<SystemTime> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, sec;
  auto bad = [&] { return InvalidArgument("not an RFC 3339 timestamp"); };
  if (!read_digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !read_digits(s, 5, 2, &mo) ||
      s[7] != '-' || !read_digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !read_digits(s, 11, 2, &h) || s[13] != ':' || !read_digits(s, 14, 2, &mi) || s[16] != ':' ||
      !read_digits(s, 17, 2, &sec)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return bad();
  size_t pos = 19;
  std::chrono::nanoseconds frac{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000000;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac += std::chrono::nanoseconds((s[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!read_digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !read_digits(s, pos + 4, 2, &om)) {
      return bad();
    }
    offset_min = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                  std::chrono::day(d)};
  if (!ymd.ok()) return bad();
  auto tp = std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
            std::chrono::seconds(sec) - std::chrono::minutes(offset_min);
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(tp.time_since_epoch() + frac));
}

int64_t to_unix_seconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

SystemTime from_unix_seconds(int64_t s) { return SystemTime(std::chrono::seconds(s)); }

}  // namespace ff
