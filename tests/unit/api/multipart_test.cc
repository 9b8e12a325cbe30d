// The streaming multipart/form-data parser (src/http/multipart.h), fed bodies
// split at every possible point, in 1-byte chunks and in random chunks: the
// events it reports must not depend on how the bytes arrived.
#include "api/multipart.h"

#include <gtest/gtest.h>

#include <random>

namespace ff::api {
namespace {

using namespace std::string_literals;

constexpr const char* kBoundary = "----ffBoundary7MA4YWxk";

// Records events as text: begin(name|filename|type) data... end.
struct Recorder {
  std::string log;
  size_t largest_data = 0;
  size_t data_bytes = 0;
  bool last_was_data = false;

  MultipartCallbacks callbacks() {
    MultipartCallbacks cb;
    cb.on_part_begin = [this](std::string_view name, std::string_view filename,
                              std::string_view type) {
      log += "begin(" + std::string(name) + "|" + std::string(filename) + "|" + std::string(type) +
             ")";
      last_was_data = false;
      return OkStatus();
    };
    cb.on_part_data = [this](std::string_view data) {
      EXPECT_FALSE(data.empty());
      // Contiguous data calls are merged so the log is split-independent.
      if (!last_was_data) log += "data:";
      log += std::string(data);
      largest_data = std::max(largest_data, data.size());
      data_bytes += data.size();
      last_was_data = true;
      return OkStatus();
    };
    cb.on_part_end = [this] {
      log += "|end;";
      last_was_data = false;
      return OkStatus();
    };
    return cb;
  }
};

struct Outcome {
  std::string log;
  Status feed;
  Status finish;
};

Outcome parse_in_chunks(const std::string& body, const std::vector<size_t>& cuts,
                        MultipartLimits limits = {}) {
  Recorder rec;
  MultipartParser parser(kBoundary, rec.callbacks(), limits);
  Outcome out;
  size_t prev = 0;
  std::vector<size_t> points = cuts;
  points.push_back(body.size());
  for (size_t cut : points) {
    Status s = parser.feed(std::string_view(body).substr(prev, cut - prev));
    prev = cut;
    if (!s.ok()) {
      out.feed = s;
      break;
    }
  }
  out.finish = parser.finish();
  out.log = rec.log;
  return out;
}

std::string part(const std::string& headers, const std::string& data) {
  return std::string("--") + kBoundary + "\r\n" + headers + "\r\n" + data + "\r\n";
}
std::string closing() { return std::string("--") + kBoundary + "--\r\n"; }

// Data that keeps almost matching the delimiter.
std::string nasty_data() {
  const std::string b = kBoundary;
  return "\r\n-\r\n--\r\n--" + b.substr(0, 10) + "\r\r\n--" + b.substr(0, b.size() - 1) + "X\r\n" +
         b + "--" + b + "\r\n\r\n\0binary\xff\xfe tail\r"s;
}

// Parses `body` split at every single point and every pair of points (for
// short bodies), in 1-byte chunks and in seeded random chunks; every way must
// give `expected`.
void expect_split_independent(const std::string& body, const std::string& expected) {
  Outcome whole = parse_in_chunks(body, {});
  ASSERT_TRUE(whole.feed.ok()) << whole.feed.to_string();
  ASSERT_TRUE(whole.finish.ok()) << whole.finish.to_string();
  ASSERT_EQ(whole.log, expected);
  for (size_t i = 0; i <= body.size(); ++i) {
    Outcome o = parse_in_chunks(body, {i});
    ASSERT_EQ(o.log, expected) << "split at " << i;
    ASSERT_TRUE(o.finish.ok()) << "split at " << i;
  }
  if (body.size() <= 400) {
    for (size_t i = 0; i <= body.size(); ++i) {
      for (size_t j = i; j <= body.size(); ++j) {
        Outcome o = parse_in_chunks(body, {i, j});
        ASSERT_EQ(o.log, expected) << "split at " << i << "," << j;
      }
    }
  }
  std::vector<size_t> bytes;
  for (size_t i = 1; i < body.size(); ++i) bytes.push_back(i);
  EXPECT_EQ(parse_in_chunks(body, bytes).log, expected) << "1-byte chunks";
  std::mt19937 rng(7578);
  for (int round = 0; round < 200; ++round) {
    std::vector<size_t> cuts;
    size_t at = 0;
    while (true) {
      at += 1 + rng() % 97;
      if (at >= body.size()) break;
      cuts.push_back(at);
    }
    ASSERT_EQ(parse_in_chunks(body, cuts).log, expected) << "random round " << round;
  }
}

TEST(MultipartParser, SingleFilePartIsTheSameForEverySplit) {
  const std::string data = nasty_data();
  const std::string body =
      part(
          "Content-Disposition: form-data; name=\"file\"; filename=\"s1.tar\"\r\n"
          "Content-Type: application/octet-stream\r\n",
          data) +
      closing();
  expect_split_independent(body,
                           "begin(file|s1.tar|application/octet-stream)data:" + data + "|end;");
}

TEST(MultipartParser, SeveralPartsWithPreambleEpilogueAndPadding) {
  const std::string body =
      "This is the preamble.\r\nIt is ignored.\r\n" +
      ("--"s + kBoundary + "  \t\r\n") +  // transport padding after the boundary
      "content-disposition: FORM-DATA; NAME=meta\r\n\r\n{\"a\":1}\r\n" +
      part("Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n", "") +
      part(
          "Content-Disposition: form-data;\r\n name=\"file\";\r\n\tfilename=\"we "
          "\\\"ird\\\".tar\"\r\n",
          "0123456789") +
      closing() + "epilogue, also ignored\r\n--" + kBoundary + "\r\n";
  expect_split_independent(body,
                           "begin(meta||)data:{\"a\":1}|end;"
                           "begin(empty||)|end;"
                           "begin(file|we \"ird\".tar|)data:0123456789|end;");
}

TEST(MultipartParser, PartWithoutHeadersIsRejectedAsNotFormData) {
  const std::string body = "--"s + kBoundary + "\r\n\r\nxyz\r\n" + closing();
  Outcome o = parse_in_chunks(body, {});
  EXPECT_EQ(o.feed.code(), Code::kInvalidArgument);
}

TEST(MultipartParser, MissingClosingBoundaryFailsFinish) {
  const std::string body = part("Content-Disposition: form-data; name=\"file\"\r\n", "abc");
  Outcome o = parse_in_chunks(body, {5});
  EXPECT_TRUE(o.feed.ok());
  EXPECT_EQ(o.finish.code(), Code::kInvalidArgument);
  // Cut inside the closing delimiter too.
  const std::string cut = body + "--" + kBoundary + "-";
  EXPECT_EQ(parse_in_chunks(cut, {}).finish.code(), Code::kInvalidArgument);
  EXPECT_EQ(parse_in_chunks("", {}).finish.code(), Code::kInvalidArgument);
}

TEST(MultipartParser, BoundaryFollowedByJunkIsInvalid) {
  const std::string body = "--"s + kBoundary + "X\r\n";
  EXPECT_EQ(parse_in_chunks(body, {}).feed.code(), Code::kInvalidArgument);
  const std::string lf_only =
      "--"s + kBoundary + "\n" + "Content-Disposition: form-data; name=a\r\n\r\nx\r\n" + closing();
  EXPECT_EQ(parse_in_chunks(lf_only, {}).feed.code(), Code::kInvalidArgument);
}

TEST(MultipartParser, OversizedHeaderBlockIsTooLarge) {
  MultipartLimits limits;
  limits.max_header_bytes = 256;
  const std::string body =
      part("Content-Disposition: form-data; name=\"file\"\r\nX-Pad: " + std::string(300, 'p') +
               "\r\n",
           "x") +
      closing();
  for (size_t cut : {size_t{0}, size_t{50}, size_t{200}}) {
    EXPECT_EQ(parse_in_chunks(body, {cut}, limits).feed.code(), Code::kTooLarge);
  }
}

TEST(MultipartParser, TooManyPartsIsTooLarge) {
  MultipartLimits limits;
  limits.max_parts = 2;
  std::string body;
  for (int i = 0; i < 3; ++i) body += part("Content-Disposition: form-data; name=p\r\n", "v");
  body += closing();
  EXPECT_EQ(parse_in_chunks(body, {}, limits).feed.code(), Code::kTooLarge);
}

TEST(MultipartParser, CallbackErrorStopsParsingAndSticks) {
  MultipartCallbacks cb;
  cb.on_part_data = [](std::string_view) { return TooLarge("declared size exceeded"); };
  MultipartParser parser(kBoundary, cb);
  const std::string body = part("Content-Disposition: form-data; name=\"file\"\r\n", "abc");
  EXPECT_EQ(parser.feed(body).code(), Code::kTooLarge);
  EXPECT_EQ(parser.feed(closing()).code(), Code::kTooLarge);
  EXPECT_EQ(parser.finish().code(), Code::kTooLarge);
}

TEST(MultipartParser, LargePartStreamsWithoutBuffering) {
  const size_t chunk = 64 * 1024;
  const std::string head = part("Content-Disposition: form-data; name=\"file\"\r\n", "");
  // head ends with the CRLF that belongs to the (not yet sent) delimiter.
  const std::string prefix = head.substr(0, head.size() - 2);
  Recorder rec;
  MultipartParser parser(kBoundary, rec.callbacks());
  ASSERT_TRUE(parser.feed(prefix).ok());
  std::string block(chunk, 'z');
  block[chunk - 1] = '\r';  // a possible delimiter start at every chunk end
  const std::string delimiter = "\r\n--"s + kBoundary;
  for (int i = 0; i < 128; ++i) {  // 8 MiB
    ASSERT_TRUE(parser.feed(block).ok());
    // Everything but a possible delimiter prefix has been handed on.
    ASSERT_GE(rec.data_bytes + delimiter.size(), (i + 1) * chunk);
  }
  ASSERT_TRUE(parser.feed("\r\n" + closing()).ok());
  EXPECT_TRUE(parser.finish().ok());
  EXPECT_EQ(rec.data_bytes, 128 * chunk);
  EXPECT_LE(rec.largest_data, chunk + delimiter.size());
}

TEST(MultipartBoundary, ExtractsQuotedAndTokenBoundaries) {
  EXPECT_EQ(*multipart_boundary("multipart/form-data; boundary=abc123"), "abc123");
  EXPECT_EQ(*multipart_boundary("Multipart/Form-Data;boundary=\"a b;c=d\""), "a b;c=d");
  EXPECT_EQ(*multipart_boundary("multipart/form-data; charset=utf-8; BOUNDARY=\"q\\\"x\""), "q\"x");
  EXPECT_EQ(*multipart_boundary("multipart/form-data; boundary=------------------------"
                                "d74496d66958873e"),
            "------------------------d74496d66958873e");
}

TEST(MultipartBoundary, RejectsOtherTypesAndBadBoundaries) {
  EXPECT_EQ(multipart_boundary("application/json").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(multipart_boundary("multipart/mixed; boundary=x").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(multipart_boundary("multipart/form-data").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"unterminated").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')).status().code(),
      Code::kInvalidArgument);
}

}  // namespace
}  // namespace ff::api
