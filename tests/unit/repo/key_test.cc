#include "repo/key.h"

#include <sys/stat.h>

#include <fstream>

#include "common/hex.h"
#include "repo/detail/hkdf.h"
#include "repo_test_util.h"

namespace ff::repo {
namespace {

std::string hex_of(const Key256& k) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(k.data()), k.size()));
}

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

const SystemTime kCreated = from_unix_seconds(1796000000);

// RFC 5869 Appendix A.1 (basic test case with SHA-256).
TEST(Hkdf, MatchesRfc5869TestCase1) {
  std::string okm =
      detail::hkdf_sha256(std::string(22, '\x0b'), unhex("000102030405060708090a0b0c"),
                          unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  EXPECT_EQ(to_hex(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// Expected values computed independently with Python's hmac/hashlib (RFC 5869
// written out), so a change in derivation cannot pass unnoticed.
TEST(DeriveKey, KnownAnswerForCountingMaster) {
  RepositoryKey key = derive_key(counting_master());
  EXPECT_EQ(key.key_id, "4d00f8d97a9ce1933dae299cc9b3f320");
  EXPECT_EQ(hex_of(key.id_key), "83a5988750908f98a3c8f73bde89cc0d5b24edfcfaa73209fed0935424ba9190");
  EXPECT_EQ(hex_of(key.enc_key),
            "34a968887fde95b22b7a61f9461732d9891f1d09ed332f8bd870ba207f960680");
  EXPECT_EQ(hex_of(key.chunker_key),
            "db6af164048ac592fc39f82a9a2c4e4bc9635e36de42cf829ff3824a80f2733a");
  EXPECT_EQ(key.master, counting_master());
}

TEST(GenerateKey, DifferentRandomGivesDifferentKeys) {
  RepositoryKey a = key_from_seed(1);
  RepositoryKey b = key_from_seed(2);
  EXPECT_NE(a.key_id, b.key_id);
  EXPECT_NE(a.master, b.master);
  EXPECT_TRUE(is_lower_hex(a.key_id, 32));
}

TEST(KeyFile, EncodeParseRoundTrip) {
  RepositoryKey key = key_from_seed(3);
  std::string text = encode_key_file(key, kCreated);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("\"created_at\":\"2026-11-30"), std::string::npos) << text;
  Result<RepositoryKey> parsed = parse_key_file(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->master, key.master);
  EXPECT_EQ(parsed->key_id, key.key_id);
  EXPECT_EQ(parsed->enc_key, key.enc_key);
}

TEST(KeyFile, DamagedKeyIdIsRefused) {
  RepositoryKey key = key_from_seed(4);
  std::string text = encode_key_file(key, kCreated);
  size_t at = text.find(key.key_id);
  text[at] = text[at] == '0' ? '1' : '0';
  EXPECT_THAT(parse_key_file(text), StatusIs(Code::kInvalidArgument));
}

TEST(KeyFile, ErrorsNeverEchoKeyMaterial) {
  RepositoryKey key = key_from_seed(5);
  std::string text = encode_key_file(key, kCreated);
  std::string master_b64 = text.substr(text.find("\"master_key\":\"") + 14, 43);
  // A broken document (trailing garbage) and a wrong-length key.
  for (std::string bad : {text + "}", text.substr(0, text.size() - 20)}) {
    Result<RepositoryKey> r = parse_key_file(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message().find(master_b64), std::string::npos);
    EXPECT_EQ(r.status().message().find(master_b64.substr(0, 8)), std::string::npos);
  }
}

TEST(KeyFile, RejectsWrongFormatVersionAndKeyLength) {
  RepositoryKey key = key_from_seed(6);
  std::string text = encode_key_file(key, kCreated);
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  EXPECT_THAT(parse_key_file(replaced("fortfail-repository-key", "other")),
              StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(parse_key_file(replaced("\"version\":1", "\"version\":2")),
              StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(parse_key_file(replaced("\"master_key\":\"", "\"master_key\":\"AAAA")),
              StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(parse_key_file("[]"), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(parse_key_file("not json"), StatusIs(Code::kInvalidArgument));
}

TEST(KeyFile, WriteCreatesMode0600AndLoads) {
  TempDir dir;
  std::string path = dir.file("repo.key");
  RepositoryKey key = key_from_seed(7);
  ASSERT_TRUE(write_key_file(path, key, kCreated).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  Result<RepositoryKey> loaded = load_key_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->master, key.master);
}

TEST(KeyFile, WriteRefusesToOverwrite) {
  TempDir dir;
  std::string path = dir.file("repo.key");
  RepositoryKey first = key_from_seed(8);
  ASSERT_TRUE(write_key_file(path, first, kCreated).ok());
  EXPECT_THAT(write_key_file(path, key_from_seed(9), kCreated), StatusIs(Code::kConflict));
  Result<RepositoryKey> loaded = load_key_file(path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->key_id, first.key_id);  // the first key survived
}

TEST(KeyFile, GroupReadableFileIsRefusedUnlessAllowed) {
  TempDir dir;
  std::string path = dir.file("repo.key");
  ASSERT_TRUE(write_key_file(path, key_from_seed(10), kCreated).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_THAT(load_key_file(path), StatusIs(Code::kPermissionDenied));
  EXPECT_TRUE(load_key_file(path, /*allow_insecure_mode=*/true).ok());
}

TEST(KeyFile, MissingFileIsNotFound) {
  TempDir dir;
  EXPECT_THAT(load_key_file(dir.file("absent.key")), StatusIs(Code::kNotFound));
}

}  // namespace
}  // namespace ff::repo
