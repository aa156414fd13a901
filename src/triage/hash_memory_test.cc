#include "parley/triage/hash_memory.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace parley::triage {
namespace {

TEST(HashMemory, AgreesWithAMapUnderRandomPutsAndErases) {
  HashMemory<int> memory;
  std::unordered_map<std::uint64_t, int> reference;
  std::mt19937_64 random(7);
  for (int step = 0; step < 200'000; ++step) {
    // Few distinct keys, many collisions of their home slots: runs, wrap-around, shifts.
    const std::uint64_t key = random() % 5'000 * 0x10000;
    switch (random() % 3) {
      case 0:
        memory.Put(key, step);
        reference[key == 0 ? 1 : key] = step;
        break;
      case 1:
        EXPECT_EQ(memory.Erase(key), reference.erase(key == 0 ? 1 : key) == 1);
        break;
      default: {
        const int* found = memory.Find(key);
        const auto expected = reference.find(key == 0 ? 1 : key);
        ASSERT_EQ(found != nullptr, expected != reference.end()) << "step " << step;
        if (found != nullptr) {
          EXPECT_EQ(*found, expected->second);
        }
      }
    }
    ASSERT_EQ(memory.size(), reference.size());
  }
  for (const auto& [key, value] : reference) ASSERT_EQ(*memory.Find(key), value);
}

TEST(HashMemory, TryEmplaceSaysWhetherItWasNew) {
  HashMemory<double> memory;
  auto [first, added] = memory.TryEmplace(42);
  EXPECT_TRUE(added);
  *first = 1.5;
  auto [again, added_again] = memory.TryEmplace(42);
  EXPECT_FALSE(added_again);
  EXPECT_EQ(*again, 1.5);
  EXPECT_EQ(memory.Find(0), nullptr);
  memory.Put(0, 2.0);  // stored as 1
  EXPECT_EQ(*memory.Find(1), 2.0);
}

}  // namespace
}  // namespace parley::triage
