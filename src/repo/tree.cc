#include "repo/tree.h"

#include <algorithm>
#include <array>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/hex.h"
#include "common/json_limits.h"
#include "repo/detail/utf8.h"

namespace ff::repo {

namespace {

using nlohmann::json;

constexpr std::array<std::pair<NodeType, std::string_view>, 7> kTypeNames{{
    {NodeType::kFile, "file"},
    {NodeType::kDir, "dir"},
    {NodeType::kSymlink, "symlink"},
    {NodeType::kHardlink, "hardlink"},
    {NodeType::kFifo, "fifo"},
    {NodeType::kCharDev, "chardev"},
    {NodeType::kBlockDev, "blockdev"},
}};

// A tree is a tree blob's plaintext, already bounded by the codec's limit;
// its documents nest 3 levels.
constexpr int kMaxTreeDepth = 8;

std::string_view type_name(NodeType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "file";
}

// Text that JSON can carry goes under `field`; other bytes under field_b64.
void put_bytes(json& j, const std::string& field, const std::string& value) {
  if (detail::is_valid_utf8(value)) {
    j[field] = value;
  } else {
    j[field + "_b64"] = base64url_encode(value);
  }
}

json encode_node(const Node& n) {
  json j = json::object();
  put_bytes(j, "name", n.name);
  j["type"] = type_name(n.type);
  j["mode"] = n.mode;
  j["uid"] = n.uid;
  j["gid"] = n.gid;
  if (!n.user.empty()) put_bytes(j, "user", n.user);
  if (!n.group.empty()) put_bytes(j, "group", n.group);
  j["mtime_ns"] = n.mtime_ns;
  j["atime_ns"] = n.atime_ns;
  j["ctime_ns"] = n.ctime_ns;
  switch (n.type) {
    case NodeType::kFile: {
      j["size"] = n.size;
      json content = json::array();
      for (const BlobId& id : n.content) content.push_back(blob_id_hex(id));
      j["content"] = std::move(content);
      j["sha256"] = n.sha256;
      if (n.sparse) j["sparse"] = true;
      break;
    }
    case NodeType::kDir:
      if (n.subtree) j["subtree"] = blob_id_hex(*n.subtree);
      break;
    case NodeType::kSymlink:
      put_bytes(j, "target", n.target);
      break;
    case NodeType::kHardlink:
      put_bytes(j, "link", n.link);
      break;
    case NodeType::kCharDev:
    case NodeType::kBlockDev:
      j["rdev"] = n.rdev;
      break;
    case NodeType::kFifo:
      break;
  }
  json xattrs = json::object();
  json xattrs_b64 = json::object();
  for (const auto& [name, value] : n.xattrs) {
    if (detail::is_valid_utf8(name)) {
      xattrs[name] = base64url_encode(value);
    } else {
      xattrs_b64[base64url_encode(name)] = base64url_encode(value);
    }
  }
  if (!xattrs.empty()) j["xattrs"] = std::move(xattrs);
  if (!xattrs_b64.empty()) j["xattrs_b64"] = std::move(xattrs_b64);
  return j;
}

// Reads one node; every error names the node's index and the field.
class NodeReader {
 public:
  NodeReader(const json& j, size_t index) : j_(j), where_("tree: node " + std::to_string(index)) {}

  Status fail(std::string_view field, std::string_view why) const {
    return DataLoss(where_ + ": \"" + std::string(field) + "\" " + std::string(why));
  }

  // The field or its _b64 form; nullopt when neither is present.
  Result<std::optional<std::string>> bytes(const std::string& field) const {
    auto it = j_.find(field);
    if (it != j_.end()) {
      if (!it->is_string()) return fail(field, "is not a string");
      return std::optional<std::string>(it->get<std::string>());
    }
    it = j_.find(field + "_b64");
    if (it == j_.end()) return std::optional<std::string>();
    std::optional<std::string> raw;
    if (it->is_string()) raw = base64url_decode(it->get_ref<const std::string&>());
    if (!raw) return fail(field + "_b64", "is not base64url");
    return raw;
  }

  Result<std::string> required_bytes(const std::string& field) const {
    FF_ASSIGN_OR_RETURN(std::optional<std::string> v, bytes(field));
    if (!v) return fail(field, "is missing");
    return std::move(*v);
  }

  template <typename T>
  Status number(const char* field, T* out, uint64_t max = std::numeric_limits<T>::max()) const {
    auto it = j_.find(field);
    if (it == j_.end()) return OkStatus();
    if constexpr (std::is_signed_v<T>) {
      if (!it->is_number_integer() ||
          (it->is_number_unsigned() &&
           it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
        return fail(field, "is not a 64-bit integer");
      }
      *out = it->get<int64_t>();
    } else {
      if (!it->is_number_unsigned() || it->get<uint64_t>() > max) {
        return fail(field, "is not an unsigned integer in range");
      }
      *out = static_cast<T>(it->get<uint64_t>());
    }
    return OkStatus();
  }

  Result<BlobId> blob_id(const char* field, const json& v) const {
    if (!v.is_string()) return fail(field, "is not a blob id");
    Result<BlobId> id = parse_blob_id(v.get_ref<const std::string&>());
    if (!id.ok()) return fail(field, "is not a blob id");
    return id;
  }

  const json& j() const { return j_; }

 private:
  const json& j_;
  std::string where_;
};

bool valid_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of(std::string_view("/\0", 2)) == std::string_view::npos;
}

// A hard link's target: a relative path of valid names (no "..": it must stay
// inside the snapshot).
bool valid_link(std::string_view link) {
  if (link.empty() || link.front() == '/') return false;
  size_t start = 0;
  while (start <= link.size()) {
    size_t slash = link.find('/', start);
    if (slash == std::string_view::npos) slash = link.size();
    if (!valid_name(link.substr(start, slash - start))) return false;
    start = slash + 1;
  }
  return true;
}

Status read_type_fields(const NodeReader& r, Node& n) {
  const json& j = r.j();
  switch (n.type) {
    case NodeType::kFile: {
      if (!j.contains("size")) return r.fail("size", "is missing");
      FF_TRY(r.number("size", &n.size));
      auto content = j.find("content");
      if (content == j.end() || !content->is_array()) return r.fail("content", "is not an array");
      for (const json& v : *content) {
        FF_ASSIGN_OR_RETURN(BlobId id, r.blob_id("content", v));
        n.content.push_back(id);
      }
      auto sha = j.find("sha256");
      if (sha == j.end() || !sha->is_string() ||
          !is_lower_hex(sha->get_ref<const std::string&>(), 64)) {
        return r.fail("sha256", "is not 64 lowercase hex characters");
      }
      n.sha256 = sha->get<std::string>();
      auto sparse = j.find("sparse");
      if (sparse != j.end()) {
        if (!sparse->is_boolean()) return r.fail("sparse", "is not a boolean");
        n.sparse = sparse->get<bool>();
      }
      return OkStatus();
    }
    case NodeType::kDir: {
      auto subtree = j.find("subtree");
      if (subtree == j.end()) return r.fail("subtree", "is missing");
      FF_ASSIGN_OR_RETURN(n.subtree, r.blob_id("subtree", *subtree));
      return OkStatus();
    }
    case NodeType::kSymlink: {
      FF_ASSIGN_OR_RETURN(n.target, r.required_bytes("target"));
      if (n.target.empty() || n.target.find('\0') != std::string::npos) {
        return r.fail("target", "is empty or contains NUL");
      }
      return OkStatus();
    }
    case NodeType::kHardlink: {
      FF_ASSIGN_OR_RETURN(n.link, r.required_bytes("link"));
      if (!valid_link(n.link)) return r.fail("link", "is not a relative path inside the snapshot");
      return OkStatus();
    }
    case NodeType::kCharDev:
    case NodeType::kBlockDev:
      return r.number("rdev", &n.rdev);
    case NodeType::kFifo:
      return OkStatus();
  }
  return OkStatus();
}

Status read_xattrs(const NodeReader& r, Node& n) {
  for (const char* field : {"xattrs", "xattrs_b64"}) {
    auto it = r.j().find(field);
    if (it == r.j().end()) continue;
    if (!it->is_object()) return r.fail(field, "is not an object");
    bool b64_names = std::string_view(field) == "xattrs_b64";
    for (const auto& [key, value] : it->items()) {
      std::optional<std::string> name = b64_names ? base64url_decode(key) : key;
      std::optional<std::string> raw;
      if (value.is_string()) raw = base64url_decode(value.get_ref<const std::string&>());
      if (!name || name->empty() || !raw) return r.fail(field, "has a bad entry");
      if (!n.xattrs.emplace(std::move(*name), std::move(*raw)).second) {
        return r.fail(field, "repeats a name");
      }
    }
  }
  return OkStatus();
}

Result<Node> decode_node(const json& j, size_t index) {
  NodeReader r(j, index);
  if (!j.is_object()) return r.fail("node", "is not an object");
  Node n;
  FF_ASSIGN_OR_RETURN(n.name, r.required_bytes("name"));
  if (!valid_name(n.name)) return r.fail("name", "is empty, \".\", \"..\" or contains '/' or NUL");
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return r.fail("type", "is not a string");
  auto known = std::find_if(kTypeNames.begin(), kTypeNames.end(), [&](const auto& p) {
    return p.second == type->get_ref<const std::string&>();
  });
  if (known == kTypeNames.end()) return r.fail("type", "is not a known node type");
  n.type = known->first;
  FF_TRY(r.number("mode", &n.mode, 07777));
  FF_TRY(r.number("uid", &n.uid));
  FF_TRY(r.number("gid", &n.gid));
  FF_ASSIGN_OR_RETURN(std::optional<std::string> user, r.bytes("user"));
  FF_ASSIGN_OR_RETURN(std::optional<std::string> group, r.bytes("group"));
  n.user = user.value_or("");
  n.group = group.value_or("");
  FF_TRY(r.number("mtime_ns", &n.mtime_ns));
  FF_TRY(r.number("atime_ns", &n.atime_ns));
  FF_TRY(r.number("ctime_ns", &n.ctime_ns));
  FF_TRY(read_type_fields(r, n));
  FF_TRY(read_xattrs(r, n));
  return n;
}

}  // namespace

std::string encode_tree(Tree tree) {
  std::sort(tree.nodes.begin(), tree.nodes.end(),
            [](const Node& a, const Node& b) { return a.name < b.name; });
  json nodes = json::array();
  for (const Node& n : tree.nodes) nodes.push_back(encode_node(n));
  json doc = json::object();
  doc["nodes"] = std::move(nodes);
  return doc.dump();
}

Result<Tree> decode_tree(std::string_view encoded) {
  Result<json> parsed = parse_json_bounded(encoded, "tree", kMaxTreeDepth);
  if (!parsed.ok()) return DataLoss("tree: " + parsed.status().message());
  const json& doc = *parsed;
  if (!doc.is_object()) return DataLoss("tree: not a JSON object");
  auto nodes = doc.find("nodes");
  if (nodes == doc.end() || !nodes->is_array()) return DataLoss("tree: \"nodes\" is not an array");
  Tree tree;
  tree.nodes.reserve(nodes->size());
  try {
    for (const json& j : *nodes) {
      FF_ASSIGN_OR_RETURN(Node n, decode_node(j, tree.nodes.size()));
      if (!tree.nodes.empty()) {
        const std::string& prev = tree.nodes.back().name;
        if (n.name == prev) {
          return DataLoss("tree: node " + std::to_string(tree.nodes.size()) + ": duplicate name");
        }
        if (n.name < prev) {
          return DataLoss("tree: node " + std::to_string(tree.nodes.size()) +
                          ": not sorted by name");
        }
      }
      tree.nodes.push_back(std::move(n));
    }
  } catch (const json::exception&) {
    // The readers check types before every get; this is a last line of defence.
    return DataLoss("tree: malformed node");
  }
  return tree;
}

}  // namespace ff::repo
