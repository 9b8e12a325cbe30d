// The Prometheus text exposition format, version 0.0.4: escaping, number
// formatting and a writer that emits families (# HELP, # TYPE, samples).
//
// The writer does not check names: callers pass constant metric and label
// names matching [a-zA-Z_:][a-zA-Z0-9_:]*; label values and help texts are
// escaped here. A histogram's buckets are written cumulative, ending in
// le="+Inf", followed by _sum and _count.
//
// Thread-safety: a TextWriter belongs to one thread; the free functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ff::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Label values: backslash, double quote and line feed are escaped.
std::string escape_label_value(std::string_view value);
// HELP text: backslash and line feed are escaped (quotes stay).
std::string escape_help(std::string_view help);
// A sample value: integers without exponent, "+Inf", "-Inf", "NaN", else the
// shortest decimal form that reads back to the same double.
std::string format_value(double value);

// A histogram's state: `bucket_counts[i]` observations <= bounds[i]
// (non-cumulative), plus those above the last bound in the final element.
struct HistogramData {
  std::vector<double> bounds;
  std::vector<uint64_t> bucket_counts;  // bounds.size() + 1
  double sum = 0;
};

class TextWriter {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  // Starts a family: "# HELP name help" and "# TYPE name type".
  void family(std::string_view name, std::string_view help, Type type);
  void sample(std::string_view name, const Labels& labels, double value);
  // name_bucket{...,le="..."} cumulative, name_sum, name_count.
  void histogram(std::string_view name, const Labels& labels, const HistogramData& data);
  // Appends text already in the format (a cached block of families).
  void raw(std::string_view text) { out_.append(text); }
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace ff::metrics
