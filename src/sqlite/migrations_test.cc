#include "parley/sqlite/migrations.h"

#include <gtest/gtest.h>

namespace parley::sqlite {
namespace {

const core::Timestamp kNow = core::FromMillis(1'800'000'000'000);

TEST(Migrations, ApplyOnceInOrder) {
  auto db = Database::Open(":memory:", Durability::kNormal);
  ASSERT_TRUE(db.ok());
  auto first = Migrate(*db, StoreMigrations(), kNow);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->size(), StoreMigrations().size());
  EXPECT_EQ(*SchemaVersion(*db), StoreMigrations().back().version);
  auto again = Migrate(*db, StoreMigrations(), kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST(Migrations, VersionsHaveNoGaps) {
  int expected = 1;
  for (const auto& m : StoreMigrations()) EXPECT_EQ(m.version, expected++);
  expected = 1;
  for (const auto& m : InboxMigrations()) EXPECT_EQ(m.version, expected++);
}

TEST(Migrations, RefuseADatabaseFromANewerBinary) {
  auto db = Database::Open(":memory:", Durability::kNormal);
  ASSERT_TRUE(Migrate(*db, StoreMigrations(), kNow).ok());
  ASSERT_TRUE(db->Exec("INSERT INTO schema_migrations VALUES (999, 'future', 0)").ok());
  auto refused = Migrate(*db, StoreMigrations(), kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message.find("newer than this binary"), std::string::npos);
}

TEST(Migrations, AFailedMigrationLeavesNoTrace) {
  auto db = Database::Open(":memory:", Durability::kNormal);
  constexpr Migration kBroken[] = {{1, "good", "CREATE TABLE a (x INTEGER)"},
                                   {2, "bad", "CREATE TABLE b (x INTEGER); NOT SQL"}};
  auto result = Migrate(*db, kBroken, kNow);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("migration 2 (bad)"), std::string::npos);
  EXPECT_EQ(*SchemaVersion(*db), 1);
  EXPECT_FALSE(db->Exec("SELECT * FROM b").ok());
}

}  // namespace
}  // namespace parley::sqlite
