#include "parley/storage/contract_test.h"
#include "parley/storage/memory_inbox.h"
#include "parley/storage/memory_outbox.h"
#include "parley/storage/memory_store.h"

namespace parley::storage::testing {
namespace {

class MemoryBackend final : public Backend {
 public:
  Store& store() override { return store_; }
  RawInbox& inbox() override { return inbox_; }
  Outbox& outbox() override { return outbox_; }
  void Reopen() override {}

 private:
  MemoryStore store_;
  MemoryInbox inbox_;
  MemoryOutbox outbox_;
};

INSTANTIATE_TEST_SUITE_P(Memory, StoreContract,
                         ::testing::Values(BackendFactory{
                             "memory",
                             [](const core::Clock&) { return std::make_unique<MemoryBackend>(); }}),
                         BackendName);

}  // namespace
}  // namespace parley::storage::testing
