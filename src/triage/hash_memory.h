// A map from 64-bit hashes to small values in one open-addressing array (linear probing,
// backward-shift deletion): the triager's memory of recent posts, authors and engagement, which
// every mention reads and writes. No allocation per entry and one cache line per lookup, where a
// node-based map costs a malloc, a free and a pointer chase each.
//
// Keys are hashes already. 0 marks an empty slot, so a key of 0 is stored as 1: two posts whose
// hashes are 0 and 1 count as the same, as any two with equal hashes do.
//
// Thread-safety: none; the triager's thread owns it.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace parley::triage {

template <typename V>
class HashMemory {
 public:
  explicit HashMemory(std::size_t expected = 8) { Resize(CapacityFor(expected)); }

  std::size_t size() const { return size_; }

  // Starts loading the slot where `key` lives. The tables are far larger than the caches, so each
  // lookup is a miss to memory; the triager asks for its slots first and reads them after
  // language detection, by when they have arrived.
  void Prefetch(std::uint64_t key) const { __builtin_prefetch(&slots_[Home(Stored(key))]); }

  V* Find(std::uint64_t key) {
    key = Stored(key);
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }

  // The value of `key`, default-made if it was absent (then `second` is true).
  std::pair<V*, bool> TryEmplace(std::uint64_t key) {
    if ((size_ + 1) * 2 > slots_.size()) Resize(slots_.size() * 2);
    key = Stored(key);
    for (std::size_t i = Home(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return {&slots_[i].value, false};
      if (slots_[i].key == 0) {
        slots_[i].key = key;
        slots_[i].value = V{};
        ++size_;
        return {&slots_[i].value, true};
      }
    }
  }

  void Put(std::uint64_t key, V value) { *TryEmplace(key).first = std::move(value); }

  bool Erase(std::uint64_t key) {
    key = Stored(key);
    std::size_t i = Home(key);
    while (slots_[i].key != key) {
      if (slots_[i].key == 0) return false;
      i = (i + 1) & mask_;
    }
    // Backward-shift: move later entries of the run into the hole when that keeps them
    // reachable from their home slot.
    for (std::size_t j = (i + 1) & mask_; slots_[j].key != 0; j = (j + 1) & mask_) {
      const std::size_t home = Home(slots_[j].key);
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i].key = 0;
    --size_;
    return true;
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    V value{};
  };

  static std::uint64_t Stored(std::uint64_t key) { return key == 0 ? 1 : key; }
  static std::size_t CapacityFor(std::size_t expected) {
    std::size_t capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    return capacity;
  }
  // Fibonacci hashing spreads keys whose low bits are alike.
  std::size_t Home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void Resize(std::size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    shift_ = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
    size_ = 0;
    for (auto& slot : old) {
      if (slot.key == 0) continue;
      std::size_t i = Home(slot.key);
      while (slots_[i].key != 0) i = (i + 1) & mask_;
      slots_[i] = std::move(slot);
      ++size_;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace parley::triage
