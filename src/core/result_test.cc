#include "parley/core/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace parley::core {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return MakeError(ErrorCode::kInvalidArgument, "odd number");
  return x / 2;
}

Result<int> Quarter(int x) {
  auto half = Half(x);
  PARLEY_TRY(half);
  return Half(*half);
}

TEST(Result, CarriesValueOrError) {
  EXPECT_EQ(*Quarter(8), 2);
  const auto odd = Quarter(6);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(odd.error().ToString(), "invalid_argument: odd number");
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  std::unique_ptr<int> taken = std::move(r).value();
  EXPECT_EQ(*taken, 7);
}

TEST(Status, DefaultsToOk) {
  EXPECT_TRUE(Ok().ok());
  Status failed = MakeError(ErrorCode::kNotFound, "gone");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(ToString(failed.error().code), "not_found");
}

}  // namespace
}  // namespace parley::core
