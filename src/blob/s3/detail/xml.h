// Just enough XML for S3's answers: the text of the first <Tag>...</Tag>, the
// inner text of each repeated element, and escaping for the one document we
// send (CompleteMultipartUpload). S3 documents are flat and machine-written;
// this is not a general XML parser (no CDATA, comments or namespaces prefixes).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ff::blob::detail {

// Unescaped text of the first <tag>...</tag> (attributes on the opening tag allowed).
std::optional<std::string> xml_text(std::string_view xml, std::string_view tag);
// Raw inner XML of every <tag>...</tag>, in document order.
std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view tag);
std::string xml_escape(std::string_view s);

}  // namespace ff::blob::detail
