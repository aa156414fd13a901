#include "parley/http/router.h"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

Router MakeRouter() {
  Router router;
  router.AddSync("GET", "/healthz", [](auto&, auto&) { return TextResponse(200, "ok"); });
  router.AddSync("GET", "/api/v1/conversations/{id}",
                 [](auto&, auto&) { return TextResponse(200, "one"); });
  router.AddSync("POST", "/api/v1/conversations/{id}/replies",
                 [](auto&, auto&) { return TextResponse(201, "reply"); });
  router.AddSync("GET", "/static/*", [](auto&, auto&) { return TextResponse(200, "file"); });
  return router;
}

TEST(Router, MatchesLiteralsParametersAndWildcards) {
  const Router router = MakeRouter();
  auto health = router.Match("GET", "/healthz");
  ASSERT_NE(health.handler, nullptr);
  EXPECT_EQ(health.name, "/healthz");

  auto one = router.Match("GET", "/api/v1/conversations/42");
  ASSERT_NE(one.handler, nullptr);
  EXPECT_EQ(one.params.at("id"), "42");
  EXPECT_EQ(one.name, "/api/v1/conversations/{id}");

  auto file = router.Match("GET", "/static/js/app.js");
  ASSERT_NE(file.handler, nullptr);
  EXPECT_EQ(file.params.at("*"), "js/app.js");

  EXPECT_NE(router.Match("HEAD", "/healthz").handler, nullptr);  // HEAD is GET without a body
}

TEST(Router, TellsNotFoundFromMethodNotAllowed) {
  const Router router = MakeRouter();
  auto missing = router.Match("GET", "/api/v1/nothing");
  EXPECT_EQ(missing.handler, nullptr);
  EXPECT_FALSE(missing.method_not_allowed);

  auto wrong = router.Match("DELETE", "/api/v1/conversations/42/replies");
  EXPECT_EQ(wrong.handler, nullptr);
  EXPECT_TRUE(wrong.method_not_allowed);
  EXPECT_EQ(wrong.allowed_methods, "POST");

  EXPECT_EQ(router.Match("GET", "/api/v1/conversations").handler, nullptr);
  auto under_wildcard = router.Match("POST", "/static/app.js");
  EXPECT_EQ(under_wildcard.handler, nullptr);
  EXPECT_FALSE(under_wildcard.method_not_allowed);  // a catch-all does not turn 404s into 405s
  EXPECT_EQ(router.Match("GET", "/api/v1/conversations/1/2").handler, nullptr);
}

TEST(Message, ParsesQueriesAndRejectsBadEscapes) {
  auto query = ParseQuery("status=queued&status=assigned&q=late+delivery%21&empty=");
  EXPECT_EQ(query.count("status"), 2u);
  EXPECT_EQ(query.find("q")->second, "late delivery!");
  EXPECT_EQ(query.find("empty")->second, "");
  EXPECT_EQ(PercentDecode("%2Fa%20b"), "/a b");
  EXPECT_FALSE(PercentDecode("%2"));
  EXPECT_FALSE(PercentDecode("%zz"));
  EXPECT_EQ(ErrorResponse(404, "not_found", "no \"x\"").body,
            R"({"error":{"code":"not_found","message":"no \"x\""}})");
}

}  // namespace
}  // namespace parley::http
