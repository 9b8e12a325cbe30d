#include "webassets/assets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace ff::webassets {
namespace {

using ::testing::StartsWith;

TEST(WebAssets, ControlPanelIndexAtBothSpellings) {
  const Asset* a = find_asset("/control");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(find_asset("/control/"), a);
  EXPECT_EQ(find_asset("/control/index.html"), a);
  EXPECT_EQ(a->content_type, "text/html; charset=utf-8");
  EXPECT_NE(a->body.find("<div id=\"app\">"), std::string_view::npos);
  EXPECT_FALSE(a->immutable);
}

TEST(WebAssets, ControlPanelAssetsExistAndAreImmutable) {
  std::string_view html = find_asset("/control")->body;
  for (std::string_view prefix : {"src=\"/control/assets/", "href=\"/control/assets/"}) {
    size_t start = html.find(prefix);
    ASSERT_NE(start, std::string_view::npos) << prefix;
    start += prefix.size() - std::string_view("/control/assets/").size();
    size_t end = html.find('"', start);
    std::string path(html.substr(start, end - start));
    const Asset* a = find_asset(path);
    ASSERT_NE(a, nullptr) << path;
    EXPECT_TRUE(a->immutable) << path;
    EXPECT_FALSE(a->body.empty()) << path;
    std::string_view want = path.ends_with(".js")    ? "text/javascript; charset=utf-8"
                            : path.ends_with(".css") ? "text/css; charset=utf-8"
                                                     : "image/svg+xml";
    EXPECT_EQ(a->content_type, want) << path;
  }
}

TEST(WebAssets, DocsPageAndSwaggerFiles) {
  const Asset* index = find_asset("/docs");
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(find_asset("/docs/"), index);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("/docs/swagger-ui-bundle.js"), std::string_view::npos);

  const Asset* bundle = find_asset("/docs/swagger-ui-bundle.js");
  ASSERT_NE(bundle, nullptr);
  EXPECT_EQ(bundle->content_type, "text/javascript; charset=utf-8");
  EXPECT_GT(bundle->body.size(), 500u * 1024);
  EXPECT_FALSE(bundle->immutable);  // fixed name: revalidated through its ETag

  const Asset* css = find_asset("/docs/swagger-ui.css");
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  const Asset* icon = find_asset("/docs/favicon-32x32.png");
  ASSERT_NE(icon, nullptr);
  EXPECT_EQ(icon->content_type, "image/png");
  EXPECT_EQ(icon->body.substr(1, 3), "PNG");
  EXPECT_NE(find_asset("/docs/docs.js"), nullptr);
}

TEST(WebAssets, OpenApiDocumentIsOpenApi31Json) {
  const Asset* a = find_asset("/openapi.json");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->content_type, "application/json");
  EXPECT_EQ(openapi_json(), a->body);
  nlohmann::json doc = nlohmann::json::parse(a->body);  // throws on bad JSON
  EXPECT_THAT(doc.at("openapi").get<std::string>(), StartsWith("3.1."));
  EXPECT_TRUE(doc.at("paths").contains("/snapshots/{id}"));
  EXPECT_EQ(doc.at("components").at("securitySchemes").at("bearerAuth").at("scheme"), "bearer");
}

TEST(WebAssets, EtagIsQuotedSha256) {
  for (const char* path : {"/control", "/docs", "/openapi.json", "/docs/swagger-ui-bundle.js"}) {
    const Asset* a = find_asset(path);
    ASSERT_NE(a, nullptr) << path;
    ASSERT_EQ(a->etag.size(), 66u) << path;
    EXPECT_EQ(a->etag.front(), '"');
    EXPECT_EQ(a->etag.back(), '"');
    EXPECT_EQ(a->etag.substr(1, 64).find_first_not_of("0123456789abcdef"), std::string_view::npos);
  }
  EXPECT_NE(find_asset("/control")->etag, find_asset("/docs")->etag);
}

TEST(WebAssets, UnknownPathsAreAbsent) {
  for (const char* path : {"", "/", "/controls", "/control/assets/", "/control/assets/nope.js",
                           "/docs/../openapi.json", "/docs/index", "/openapi.json/", "/CONTROL"}) {
    EXPECT_EQ(find_asset(path), nullptr) << path;
  }
}

}  // namespace
}  // namespace ff::webassets
