#include "api/multipart.h"

#include <utility>
#include <vector>

namespace ff::api {

namespace {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits a header value at ';' outside quoted strings.
std::vector<std::string_view> split_params(std::string_view v) {
  std::vector<std::string_view> out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (quoted && v[i] == '\\') {
      ++i;
    } else if (v[i] == '"') {
      quoted = !quoted;
    } else if (v[i] == ';' && !quoted) {
      out.push_back(trim(v.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(trim(v.substr(start)));
  return out;
}

// A parameter value: a token, or a quoted string with backslash escapes.
Result<std::string> param_value(std::string_view v) {
  v = trim(v);
  if (v.empty() || v.front() != '"') return std::string(v);
  std::string out;
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      out.push_back(v[++i]);
    } else if (v[i] == '"') {
      if (i + 1 != v.size()) return InvalidArgument("multipart: text after a quoted parameter");
      return out;
    } else {
      out.push_back(v[i]);
    }
  }
  return InvalidArgument("multipart: unterminated quoted parameter");
}

// name=value pairs after the first element; names lowercased.
Result<std::vector<std::pair<std::string, std::string>>> parse_params(
    const std::vector<std::string_view>& items) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 1; i < items.size(); ++i) {
    if (items[i].empty()) continue;
    size_t eq = items[i].find('=');
    if (eq == std::string_view::npos) return InvalidArgument("multipart: parameter without '='");
    FF_ASSIGN_OR_RETURN(std::string value, param_value(items[i].substr(eq + 1)));
    out.emplace_back(to_lower(trim(items[i].substr(0, eq))), std::move(value));
  }
  return out;
}

}  // namespace

Result<std::string> multipart_boundary(std::string_view content_type) {
  std::vector<std::string_view> items = split_params(content_type);
  if (to_lower(items.front()) != "multipart/form-data") {
    return InvalidArgument("Content-Type must be multipart/form-data");
  }
  FF_ASSIGN_OR_RETURN(auto params, parse_params(items));
  for (const auto& [name, value] : params) {
    if (name != "boundary") continue;
    if (value.empty() || value.size() > 70) {
      return InvalidArgument("multipart boundary must be 1..70 characters");
    }
    for (unsigned char c : value) {
      if (c < 0x20 || c == 0x7f)
        return InvalidArgument("multipart boundary holds a control character");
    }
    return value;
  }
  return InvalidArgument("multipart/form-data without a boundary");
}

MultipartParser::MultipartParser(std::string boundary, MultipartCallbacks callbacks,
                                 MultipartLimits limits)
    : delimiter_("\r\n--" + boundary), callbacks_(std::move(callbacks)), limits_(limits) {
  // The first delimiter may open the body without a preceding line break:
  // pretend one came before the first byte.
  carry_ = "\r\n";
}

Status MultipartParser::fail(Status s) {
  failed_ = s;
  return s;
}

Status MultipartParser::feed(std::string_view chunk) {
  if (!failed_.ok()) return failed_;
  while (!chunk.empty()) {
    Result<size_t> used = size_t{0};
    switch (state_) {
      case State::kPreamble:
      case State::kBody:
        used = scan(chunk);
        break;
      case State::kAfterDelimiter:
      case State::kCloseDash:
      case State::kPadding:
      case State::kExpectLf:
        used = step_line(chunk);
        break;
      case State::kHeaders:
        used = step_headers(chunk);
        break;
      case State::kEpilogue:
        return OkStatus();  // ignored, whatever it holds
    }
    if (!used.ok()) return fail(used.status());
    chunk.remove_prefix(*used);
  }
  return OkStatus();
}

Status MultipartParser::finish() {
  if (!failed_.ok()) return failed_;
  if (state_ != State::kEpilogue) {
    return fail(InvalidArgument("multipart body ended before its closing boundary"));
  }
  return OkStatus();
}

Status MultipartParser::emit(std::string_view data) {
  if (data.empty()) return OkStatus();
  if (state_ == State::kPreamble) {
    preamble_ += data.size();
    if (preamble_ > limits_.max_preamble_bytes) return TooLarge("multipart preamble too large");
    return OkStatus();
  }
  return callbacks_.on_part_data ? callbacks_.on_part_data(data) : OkStatus();
}

Status MultipartParser::on_delimiter() {
  if (state_ == State::kBody) {
    if (callbacks_.on_part_end) FF_TRY(callbacks_.on_part_end());
  }
  state_ = State::kAfterDelimiter;
  padding_ = 0;
  return OkStatus();
}

Result<size_t> MultipartParser::scan(std::string_view data) {
  const std::string_view d = delimiter_;
  // 1. A delimiter may have started in the bytes held back from the last chunk.
  if (!carry_.empty()) {
    const size_t c = carry_.size();
    for (size_t p = 0; p < c; ++p) {
      const size_t held = c - p;  // carry bytes that would belong to the delimiter
      if (carry_.compare(p, held, d.substr(0, held)) != 0) continue;
      const size_t need = d.size() - held;
      const size_t avail = std::min(need, data.size());
      if (data.substr(0, avail) != d.substr(held, avail)) continue;
      FF_TRY(emit(std::string_view(carry_).substr(0, p)));
      if (avail == need) {
        carry_.clear();
        FF_TRY(on_delimiter());
        return need;
      }
      // Still only a prefix: keep holding it.
      carry_ = carry_.substr(p) + std::string(data);
      return data.size();
    }
    FF_TRY(emit(carry_));
    carry_.clear();
  }
  // 2. A whole delimiter inside this chunk.
  if (size_t pos = data.find(d); pos != std::string_view::npos) {
    FF_TRY(emit(data.substr(0, pos)));
    FF_TRY(on_delimiter());
    return pos + d.size();
  }
  // 3. Hold back the longest tail that could still grow into a delimiter.
  size_t keep = 0;
  for (size_t k = std::min(d.size() - 1, data.size()); k > 0; --k) {
    if (data.substr(data.size() - k) == d.substr(0, k)) {
      keep = k;
      break;
    }
  }
  FF_TRY(emit(data.substr(0, data.size() - keep)));
  carry_.assign(data.substr(data.size() - keep));
  return data.size();
}

Result<size_t> MultipartParser::step_line(std::string_view data) {
  for (size_t i = 0; i < data.size(); ++i) {
    const char ch = data[i];
    switch (state_) {
      case State::kAfterDelimiter:
        if (ch == '-') {
          state_ = State::kCloseDash;
        } else if (ch == ' ' || ch == '\t') {
          state_ = State::kPadding;
          padding_ = 1;
        } else if (ch == '\r') {
          state_ = State::kExpectLf;
        } else {
          return InvalidArgument("multipart: malformed boundary line");
        }
        break;
      case State::kCloseDash:
        if (ch != '-') return InvalidArgument("multipart: malformed closing boundary");
        state_ = State::kEpilogue;
        return i + 1;
      case State::kPadding:
        if (ch == '\r') {
          state_ = State::kExpectLf;
        } else if ((ch != ' ' && ch != '\t') || ++padding_ > 256) {
          return InvalidArgument("multipart: malformed boundary line");
        }
        break;
      case State::kExpectLf:
        if (ch != '\n') return InvalidArgument("multipart: boundary line must end with CRLF");
        state_ = State::kHeaders;
        headers_.clear();
        return i + 1;
      default:
        return Internal("multipart: bad state");
    }
  }
  return data.size();
}

Result<size_t> MultipartParser::step_headers(std::string_view data) {
  for (size_t i = 0; i < data.size(); ++i) {
    headers_.push_back(data[i]);
    if (headers_.size() > limits_.max_header_bytes) {
      return TooLarge("multipart part headers too large");
    }
    if (data[i] != '\n') continue;
    // The block ends at an empty line: "\r\n" alone or "\r\n\r\n" at the end.
    if (headers_ == "\r\n" ||
        (headers_.size() >= 4 && headers_.compare(headers_.size() - 4, 4, "\r\n\r\n") == 0)) {
      FF_TRY(begin_part());
      state_ = State::kBody;
      carry_.clear();
      return i + 1;
    }
  }
  return data.size();
}

Status MultipartParser::begin_part() {
  if (++parts_ > limits_.max_parts) return TooLarge("multipart body has too many parts");
  // Unfold: split into lines, joining continuation lines (leading SP/HT).
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < headers_.size()) {
    size_t end = headers_.find("\r\n", start);
    if (end == std::string::npos) return InvalidArgument("multipart: bare LF in part headers");
    std::string_view line(headers_.data() + start, end - start);
    start = end + 2;
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      if (lines.empty()) return InvalidArgument("multipart: continuation without a header");
      lines.back() += " ";
      lines.back() += trim(line);
    } else {
      lines.emplace_back(line);
    }
  }
  std::string name, filename, content_type;
  bool form_data = false;
  for (const std::string& line : lines) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) return InvalidArgument("multipart: part header without ':'");
    const std::string header = to_lower(trim(std::string_view(line).substr(0, colon)));
    const std::string_view value = trim(std::string_view(line).substr(colon + 1));
    if (header == "content-disposition") {
      std::vector<std::string_view> items = split_params(value);
      if (to_lower(items.front()) != "form-data") {
        return InvalidArgument("multipart: part disposition must be form-data");
      }
      FF_ASSIGN_OR_RETURN(auto params, parse_params(items));
      for (auto& [pname, pvalue] : params) {
        if (pname == "name") {
          name = std::move(pvalue);
          form_data = true;
        } else if (pname == "filename") {
          filename = std::move(pvalue);
        }
      }
    } else if (header == "content-type") {
      content_type = std::string(value);
    }
  }
  if (!form_data) {
    return InvalidArgument("multipart: part without Content-Disposition: form-data; name=...");
  }
  return callbacks_.on_part_begin ? callbacks_.on_part_begin(name, filename, content_type)
                                  : OkStatus();
}

}  // namespace ff::api
