#include "parley/core/id.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace parley::core {
namespace {

TEST(IdGenerator, IdsStrictlyIncreaseWithinOneMillisecond) {
  ManualClock clock(FromMillis(1'800'000'000'000));
  IdGenerator ids(clock, 3);
  std::int64_t previous = 0;
  for (int i = 0; i < 10'000; ++i) {  // more than the 4,096 a millisecond holds
    const std::int64_t id = ids.Next();
    ASSERT_GT(id, previous);
    previous = id;
  }
}

TEST(IdGenerator, ClockGoingBackwardsDoesNotRepeatIds) {
  ManualClock clock(FromMillis(1'800'000'000'000));
  IdGenerator ids(clock, 0);
  const std::int64_t first = ids.Next();
  clock.Advance(Duration(-5000));
  EXPECT_GT(ids.Next(), first);
}

TEST(IdGenerator, NodesNeverCollide) {
  ManualClock clock(FromMillis(1'800'000'000'000));
  IdGenerator a(clock, 1);
  IdGenerator b(clock, 2);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(seen.insert(a.Next()).second);
    ASSERT_TRUE(seen.insert(b.Next()).second);
  }
}

TEST(IdGenerator, ThreadSafe) {
  IdGenerator ids(SystemClock::Instance(), 0);
  std::vector<std::vector<std::int64_t>> per_thread(4);
  std::vector<std::thread> threads;
  threads.reserve(per_thread.size());
  for (auto& out : per_thread) {
    threads.emplace_back([&ids, &out] {
      for (int i = 0; i < 5000; ++i) out.push_back(ids.Next());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::int64_t> all;
  for (const auto& out : per_thread) all.insert(out.begin(), out.end());
  EXPECT_EQ(all.size(), 20'000u);
}

TEST(ParseId, AcceptsPositiveDecimalOnly) {
  struct Tag;
  EXPECT_EQ(ParseId<Id<Tag>>("42")->value(), 42);
  EXPECT_FALSE(ParseId<Id<Tag>>("0"));
  EXPECT_FALSE(ParseId<Id<Tag>>("-3"));
  EXPECT_FALSE(ParseId<Id<Tag>>("12abc"));
  EXPECT_FALSE(ParseId<Id<Tag>>(""));
  EXPECT_FALSE(ParseId<Id<Tag>>("99999999999999999999999"));
}

}  // namespace
}  // namespace parley::core
