#include "blob/s3/detail/xml.h"

namespace ff::blob::detail {

namespace {

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp")
      out.push_back('&');
    else if (ent == "lt")
      out.push_back('<');
    else if (ent == "gt")
      out.push_back('>');
    else if (ent == "quot")
      out.push_back('"');
    else if (ent == "apos")
      out.push_back('\'');
    else if (!ent.empty() && ent[0] == '#') {
      // Numeric references: S3 uses them for control characters in keys.
      unsigned long code = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X')
                               ? std::stoul(std::string(ent.substr(2)), nullptr, 16)
                               : std::stoul(std::string(ent.substr(1)), nullptr, 10);
      if (code < 0x80) {
        out.push_back(static_cast<char>(code));
      } else if (code < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code >> 6)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
      } else if (code < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
      } else {
        out.push_back(static_cast<char>(0xF0 | (code >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
      }
    } else {
      out.append(s.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

// Finds the next <tag ...> or <tag> at or after `from`; returns the offset just
// past '>' and sets *start to the '<'. npos when absent.
size_t find_open(std::string_view xml, std::string_view tag, size_t from, size_t* start) {
  while (true) {
    size_t p = xml.find('<', from);
    if (p == std::string_view::npos) return p;
    if (xml.substr(p + 1, tag.size()) == tag) {
      size_t after = p + 1 + tag.size();
      if (after < xml.size() && (xml[after] == '>' || xml[after] == ' ')) {
        size_t gt = xml.find('>', after);
        if (gt == std::string_view::npos) return gt;
        *start = p;
        return gt + 1;
      }
    }
    from = p + 1;
  }
}

}  // namespace

std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  const std::string close = "</" + std::string(tag) + ">";
  size_t from = 0;
  while (true) {
    size_t start = 0;
    size_t inner = find_open(xml, tag, from, &start);
    if (inner == std::string_view::npos) break;
    if (xml[inner - 2] == '/') {  // <Tag/>
      out.emplace_back();
      from = inner;
      continue;
    }
    size_t end = xml.find(close, inner);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(inner, end - inner));
    from = end + close.size();
  }
  return out;
}

std::optional<std::string> xml_text(std::string_view xml, std::string_view tag) {
  auto elements = xml_elements(xml, tag);
  if (elements.empty()) return std::nullopt;
  try {
    return unescape(elements.front());
  } catch (const std::exception&) {  // malformed numeric reference
    return std::string(elements.front());
  }
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace ff::blob::detail
