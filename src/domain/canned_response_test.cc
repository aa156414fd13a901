#include "parley/domain/canned_response.h"

#include <gtest/gtest.h>

namespace parley::domain {
namespace {

TEST(CannedResponse, RendersVariables) {
  auto text = RenderTemplate("Hi {{ customer.first_name }}, sorry! ^{{agent.initials}}",
                             {{"customer.first_name", "Jane"}, {"agent.initials", "JD"}});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "Hi Jane, sorry! ^JD");
}

TEST(CannedResponse, NamesEveryMissingVariable) {
  auto text = RenderTemplate("{{a}} {{b}} {{a}} {{c}}", {{"b", "x"}});
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().message, "no value for a, c");
}

TEST(CannedResponse, RejectsMalformedTemplates) {
  EXPECT_FALSE(TemplateVariables("Hello {{name").ok());
  EXPECT_FALSE(TemplateVariables("Hello {{}}").ok());
  EXPECT_FALSE(TemplateVariables("Hello {{two words}}").ok());
  EXPECT_EQ(*TemplateVariables("{{x}} and {{y}} and {{x}}"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(*RenderTemplate("no variables", {}), "no variables");
}

}  // namespace
}  // namespace parley::domain
