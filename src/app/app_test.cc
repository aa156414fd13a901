// The application as a whole, without a socket: its routes against the OpenAPI document.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "parley/app/application.h"
#include "parley/app/routes.h"

namespace parley::app {
namespace {

namespace fs = std::filesystem;

class ApplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("parley-app-test-" + std::to_string(random()));
    auto config = config::ParseConfig("[[workspaces]]\nslug = \"acme\"\n",
                                      [](std::string_view) { return std::nullopt; });
    ASSERT_TRUE(config.ok());
    config->storage.data_dir = dir_.string();
    config->log.level = "error";
    auto app = Application::Open(*config, core::SystemClock::Instance());
    ASSERT_TRUE(app.ok()) << app.error().ToString();
    app_ = std::move(app).value();
  }
  void TearDown() override {
    app_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path dir_;
  std::unique_ptr<Application> app_;
};

TEST_F(ApplicationTest, EveryRouteIsInTheOpenApiDocumentAndTheReverse) {
  const auto document = nlohmann::json::parse(OpenApiJson());
  ASSERT_EQ(document["openapi"].get<std::string>().substr(0, 3), "3.1");
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.emplace(upper, path);
    }
  }
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& [method, pattern] : app_->router().Routes()) {
    if (pattern == "/*") continue;  // the web app's files
    served.emplace(method, pattern);
  }
  for (const auto& route : served) {
    EXPECT_TRUE(documented.contains(route))
        << route.first << " " << route.second << " is served but not in docs/openapi.yaml";
  }
  for (const auto& route : documented) {
    EXPECT_TRUE(served.contains(route))
        << route.first << " " << route.second << " is in docs/openapi.yaml but not served";
  }
}

TEST_F(ApplicationTest, PublicApiRoutesAreDocumentedAsPublicAndNoOthers) {
  const auto document = nlohmann::json::parse(OpenApiJson());
  ASSERT_FALSE(app_->api_routes().empty());
  for (const auto& route : app_->api_routes()) {
    std::string method = route.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto& operation = document["paths"][route.pattern][method];
    const bool documented_public = operation.contains("security") && operation["security"].empty();
    EXPECT_EQ(documented_public, !route.permission.has_value())
        << route.method << " " << route.pattern;
    // The permission each route needs is documented, as the server checks it.
    if (route.permission) {
      ASSERT_TRUE(operation.contains("x-permission")) << route.method << " " << route.pattern;
      EXPECT_EQ(operation["x-permission"].get<std::string>(), domain::ToString(*route.permission))
          << route.method << " " << route.pattern;
    } else {
      EXPECT_FALSE(operation.contains("x-permission")) << route.method << " " << route.pattern;
    }
  }
}

}  // namespace
}  // namespace parley::app
