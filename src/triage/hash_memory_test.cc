#include "parley/triage/hash_memory.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "parley/triage/string_table.h"

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

TEST(StringTable, FindsWhatWasAddedAndKeepsTheFirstValue) {
  StringTable<double> table;
  std::unordered_map<std::string, double> reference;
  for (int i = 0; i < 5'000; ++i) {
    const std::string word = "w" + std::to_string(i * 7919 % 10'007);
    table.Emplace(word, i);
    reference.emplace(word, i);
  }
  table.Emplace("w0", -1);  // already there: the first value stays
  EXPECT_EQ(table.size(), reference.size());
  for (const auto& [word, value] : reference) ASSERT_EQ(*table.Find(word), value) << word;
  EXPECT_EQ(table.Find("w10008"), nullptr);
  EXPECT_FALSE(table.Contains(""));
  EXPECT_EQ(StringTable<int>().Find("anything"), nullptr);
}

}  // namespace
}  // namespace parley::triage
