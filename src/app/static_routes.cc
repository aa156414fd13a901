#include <filesystem>
#include <fstream>
#include <sstream>

#include "parley/app/routes.h"

namespace parley::app {
namespace {

namespace fs = std::filesystem;

std::string ContentType(const fs::path& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  };
  auto it = kTypes.find(path.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::string DefaultWebRoot() { return PARLEY_DEFAULT_WEB_ROOT; }

void AddStaticRoutes(http::Router& router, std::string web_root) {
  if (web_root.empty()) web_root = DefaultWebRoot();
  router.AddSync(
      "GET", "/*",
      [root = fs::path(web_root)](const http::HttpRequest& request,
                                  const http::RouteParams& params) {
        const std::string& relative = params.at("*");
        // No way out of the web root: every segment must be a plain name.
        for (const auto& part : fs::path(relative)) {
          if (part == ".." || part == "." || part.string().find('\\') != std::string::npos) {
            return http::ErrorResponse(400, "invalid_argument", "bad path");
          }
        }
        fs::path file = root / relative;
        std::error_code ec;
        if (relative.empty() || fs::is_directory(file, ec)) file /= "index.html";
        const bool is_asset = fs::path(relative).has_extension();
        if (!fs::is_regular_file(file, ec)) {
          // Client-side routes of the single-page app get the app; missing assets are 404s.
          if (is_asset || request.path.starts_with("/api/") ||
              request.path.starts_with("/webhooks/")) {
            return http::ErrorResponse(404, "not_found", "no such file: " + request.path);
          }
          file = root / "index.html";
        }
        auto body = ReadFile(file);
        if (!body) return http::ErrorResponse(404, "not_found", "no such file: " + request.path);
        http::HttpResponse response = http::TextResponse(200, std::move(*body), ContentType(file));
        response.headers.emplace_back(
            "Cache-Control", file.filename() == "index.html" ? "no-cache" : "public, max-age=3600");
        response.headers.emplace_back("X-Content-Type-Options", "nosniff");
        return response;
      });
}

}  // namespace parley::app
