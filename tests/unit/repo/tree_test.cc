#include "repo/tree.h"

#include "common/hex.h"
#include "repo_test_util.h"

namespace ff::repo {
namespace {

BlobId id_of(std::string_view s) { return Codec::plain().id_of(s); }

Node node(std::string name, NodeType type) {
  Node n;
  n.name = std::move(name);
  n.type = type;
  n.mode = 0644;
  n.uid = 1000;
  n.gid = 100;
  n.mtime_ns = 1700000000123456789;
  n.atime_ns = -5;  // before the epoch is allowed
  n.ctime_ns = 1700000000000000000;
  return n;
}

Tree all_types() {
  Tree t;
  Node file = node("file.txt", NodeType::kFile);
  file.user = "alice";
  file.group = "staff";
  file.size = 3000000;
  file.content = {id_of("a"), id_of("b")};
  file.sha256 = sha256_hex("whole");
  file.sparse = true;
  file.xattrs = {{"user.comment", std::string("\x00\xff", 2)}, {"user.\xff", "v"}};
  Node dir = node("dir", NodeType::kDir);
  dir.mode = 01777;
  dir.subtree = id_of("subtree");
  Node link = node("link", NodeType::kSymlink);
  link.target = "../elsewhere/\xfe";
  Node hard = node("hard", NodeType::kHardlink);
  hard.link = "dir/first";
  Node fifo = node("fifo", NodeType::kFifo);
  Node chr = node("tty", NodeType::kCharDev);
  chr.rdev = 0x0501;
  Node blk = node("sda", NodeType::kBlockDev);
  blk.rdev = 0x0800;
  Node binary = node(std::string("caf\xe9\x01name", 9), NodeType::kFile);
  binary.sha256 = sha256_hex("");
  t.nodes = {file, dir, link, hard, fifo, chr, blk, binary};
  return t;
}

void expect_equal(const Node& a, const Node& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.uid, b.uid);
  EXPECT_EQ(a.gid, b.gid);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.group, b.group);
  EXPECT_EQ(a.mtime_ns, b.mtime_ns);
  EXPECT_EQ(a.atime_ns, b.atime_ns);
  EXPECT_EQ(a.ctime_ns, b.ctime_ns);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.content, b.content);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.sparse, b.sparse);
  EXPECT_EQ(a.subtree, b.subtree);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.link, b.link);
  EXPECT_EQ(a.rdev, b.rdev);
  EXPECT_EQ(a.xattrs, b.xattrs);
}

TEST(Tree, RoundTripsEveryNodeTypeSortedByName) {
  Tree in = all_types();
  std::string encoded = encode_tree(in);
  Result<Tree> out = decode_tree(encoded);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  std::sort(in.nodes.begin(), in.nodes.end(),
            [](const Node& a, const Node& b) { return a.name < b.name; });
  ASSERT_EQ(out->nodes.size(), in.nodes.size());
  for (size_t i = 0; i < in.nodes.size(); ++i) expect_equal(out->nodes[i], in.nodes[i]);
}

TEST(Tree, EncodingIsCanonical) {
  Tree a = all_types();
  Tree b = a;
  std::reverse(b.nodes.begin(), b.nodes.end());
  EXPECT_EQ(encode_tree(a), encode_tree(b));
  EXPECT_EQ(encode_tree(a), encode_tree(*decode_tree(encode_tree(a))));
}

TEST(Tree, NonUtf8BytesUseBase64Fields) {
  std::string encoded = encode_tree(all_types());
  EXPECT_NE(encoded.find("\"name_b64\""), std::string::npos);
  EXPECT_NE(encoded.find("\"target_b64\""), std::string::npos);
  EXPECT_NE(encoded.find("\"xattrs_b64\""), std::string::npos);
  EXPECT_NE(encoded.find("\"name\":\"file.txt\""), std::string::npos);
}

TEST(Tree, UnknownFieldsAreIgnored) {
  Result<Tree> t =
      decode_tree(R"({"nodes":[{"name":"f","type":"fifo","future":{"x":1}}],"version_hint":2})");
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->nodes[0].name, "f");
}

std::string one_node(const std::string& fields) { return R"({"nodes":[{)" + fields + "}]}"; }

TEST(Tree, DecodeRejectsBadNames) {
  for (std::string name : {R"("")", R"(".")", R"("..")", R"("a/b")", R"("/")", R"("a\u0000b")"}) {
    EXPECT_THAT(decode_tree(one_node(R"("type":"fifo","name":)" + name)), StatusIs(Code::kDataLoss))
        << name;
  }
  // The same through name_b64 ("Li4" is "..", "YS9i" is "a/b").
  EXPECT_THAT(decode_tree(one_node(R"("type":"fifo","name_b64":"Li4")")),
              StatusIs(Code::kDataLoss));
  EXPECT_THAT(decode_tree(one_node(R"("type":"fifo","name_b64":"YS9i")")),
              StatusIs(Code::kDataLoss));
}

TEST(Tree, DecodeRejectsDuplicatesAndDisorder) {
  EXPECT_THAT(decode_tree(R"({"nodes":[{"name":"a","type":"fifo"},{"name":"a","type":"fifo"}]})"),
              StatusIs(Code::kDataLoss));
  EXPECT_THAT(decode_tree(R"({"nodes":[{"name":"b","type":"fifo"},{"name":"a","type":"fifo"}]})"),
              StatusIs(Code::kDataLoss));
}

TEST(Tree, DecodeRejectsHardLinksLeavingTheSnapshot) {
  for (std::string link : {"../x", "/etc/passwd", "a/../../x", "a//b", ""}) {
    EXPECT_THAT(decode_tree(one_node(R"("name":"h","type":"hardlink","link":")" + link + "\"")),
                StatusIs(Code::kDataLoss))
        << link;
  }
  EXPECT_TRUE(decode_tree(one_node(R"("name":"h","type":"hardlink","link":"a/b/c")")).ok());
}

TEST(Tree, DecodeRejectsBadFields) {
  std::string file_ok =
      R"("name":"f","type":"file","size":1,"content":[],"sha256":")" + sha256_hex("") + "\"";
  EXPECT_TRUE(decode_tree(one_node(file_ok)).ok());
  for (const std::string& bad : std::vector<std::string>{
           R"("name":"f","type":"socket")",
           R"("name":"f","type":"fifo","mode":4096)",
           R"("name":"f","type":"fifo","uid":-1)",
           R"("name":"f","type":"fifo","mtime_ns":"now")",
           R"("name":"f","type":"file","content":[],"sha256":"00")",
           R"("name":"f","type":"file","size":1,"content":["zz"],"sha256":")" + sha256_hex("") +
               "\"",
           R"("name":"d","type":"dir")",
           R"("name":"l","type":"symlink")",
           R"("name":"f","type":"fifo","xattrs":{"user.a":"not base64!"})",
       }) {
    EXPECT_THAT(decode_tree(one_node(bad)), StatusIs(Code::kDataLoss)) << bad;
  }
  EXPECT_THAT(decode_tree("not json"), StatusIs(Code::kDataLoss));
  EXPECT_THAT(decode_tree("[]"), StatusIs(Code::kDataLoss));
  EXPECT_THAT(decode_tree(R"({"nodes":[[[[[[[[[[[[]]]]]]]]]]]]})"), StatusIs(Code::kDataLoss));
}

}  // namespace
}  // namespace ff::repo
