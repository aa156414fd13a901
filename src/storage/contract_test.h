// The storage contract suite: one set of tests that every backend must pass. A backend joins by
// instantiating the suites with a factory (see memory_contract_test.cc and
// ../sqlite/sqlite_contract_test.cc); no test is copied per backend.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "parley/core/clock.h"
#include "parley/storage/outbox.h"
#include "parley/storage/raw_inbox.h"
#include "parley/storage/store.h"

namespace parley::storage::testing {

// A backend under test. Reopen() closes and reopens it where that means something (a file, a
// server connection), keeping the data; for memory it does nothing.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Store& store() = 0;
  virtual RawInbox& inbox() = 0;
  virtual Outbox& outbox() = 0;
  virtual void Reopen() = 0;
};

struct BackendFactory {
  std::string name;
  std::function<std::unique_ptr<Backend>(const core::Clock& clock)> make;
};

inline std::string BackendName(const ::testing::TestParamInfo<BackendFactory>& info) {
  return info.param.name;
}

class StoreContract : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override { backend_ = GetParam().make(clock_); }
  Store& store() { return backend_->store(); }
  RawInbox& inbox() { return backend_->inbox(); }
  Outbox& outbox() { return backend_->outbox(); }
  void Reopen() { backend_->Reopen(); }

  core::ManualClock clock_{core::FromMillis(1'800'000'000'000)};
  std::unique_ptr<Backend> backend_;
};

}  // namespace parley::storage::testing
