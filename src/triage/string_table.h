// A read-mostly map from short strings to values, for the sentiment lexicons that every word of
// every mention is looked up in: the entries in one vector, an open-addressing index of
// (hash, entry) beside them. A miss, the usual case, compares hashes only.
//
// Thread-safety: built once, then read from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::triage {

template <typename V>
class StringTable {
 public:
  // Adds `key` unless present: the first value given for a key stays (as map::emplace).
  void Emplace(std::string_view key, V value) {
    if (Find(key) != nullptr) return;
    if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
    entries_.emplace_back(std::string(key), std::move(value));
    Place(HashOf(key), static_cast<std::uint32_t>(entries_.size()));
  }

  const V* Find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const std::uint64_t hash = HashOf(key);
    if (!MayHold(hash)) return nullptr;
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.entry == 0) return nullptr;
      if (slot.hash == hash && entries_[slot.entry - 1].first == key) {
        return &entries_[slot.entry - 1].second;
      }
    }
  }

  // The value of `key`, default-made when absent: for entries built from several sources.
  V& operator[](std::string_view key) {
    if (const V* found = Find(key); found != nullptr) return const_cast<V&>(*found);
    Emplace(key, V{});
    return entries_.back().second;
  }

  bool Contains(std::string_view key) const { return Find(key) != nullptr; }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry = 0;  // index + 1 into entries_; 0: empty
  };

  // FNV-1a, then a multiply to spread the low bits the index uses: the keys are a few bytes.
  static std::uint64_t HashOf(std::string_view key) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : key) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 0x100000001b3ULL;
    }
    return hash * 0x9E3779B97F4A7C15ULL;
  }

  // Sixteen bits per slot, one set per entry, from the hash's high bits (the index uses the low
  // ones): most words of a text are in no lexicon, and the filter, a few dozen kilobytes that stay
  // in cache, answers them without a trip to the slots.
  bool MayHold(std::uint64_t hash) const {
    const std::uint64_t bit = hash >> filter_shift_;
    return (filter_[bit >> 6] >> (bit & 63)) & 1;
  }

  void Place(std::uint64_t hash, std::uint32_t entry) {
    std::size_t i = hash & mask_;
    while (slots_[i].entry != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{hash, entry};
    const std::uint64_t bit = hash >> filter_shift_;
    filter_[bit >> 6] |= std::uint64_t{1} << (bit & 63);
  }

  void Grow() {
    const std::size_t capacity = slots_.empty() ? 64 : slots_.size() * 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    const std::size_t filter_bits = capacity * 16;
    filter_.assign(filter_bits / 64, 0);
    filter_shift_ = 64;
    for (std::size_t b = filter_bits; b > 1; b >>= 1) --filter_shift_;
    for (std::uint32_t e = 0; e < entries_.size(); ++e) Place(HashOf(entries_[e].first), e + 1);
  }

  std::vector<std::pair<std::string, V>> entries_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::vector<std::uint64_t> filter_;
  int filter_shift_ = 64;
};

}  // namespace parley::triage
