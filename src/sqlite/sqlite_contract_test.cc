#include <filesystem>
#include <random>

#include "parley/sqlite/sqlite_inbox.h"
#include "parley/sqlite/sqlite_outbox.h"
#include "parley/sqlite/sqlite_store.h"
#include "parley/storage/contract_test.h"

namespace parley::sqlite {
namespace {

namespace fs = std::filesystem;
using storage::testing::StoreContract;

// Files in a fresh temporary directory; Reopen() closes both databases and opens them again.
class SqliteBackend final : public storage::testing::Backend {
 public:
  explicit SqliteBackend(const core::Clock& clock) : clock_(clock) {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("parley-sqlite-test-" + std::to_string(random()));
    fs::create_directories(dir_);
    Open();
  }
  ~SqliteBackend() override {
    outbox_.reset();
    inbox_.reset();
    store_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  storage::Store& store() override { return *store_; }
  storage::RawInbox& inbox() override { return *inbox_; }
  storage::Outbox& outbox() override { return *outbox_; }
  void Reopen() override {
    outbox_.reset();
    inbox_.reset();
    store_.reset();
    Open();
  }

 private:
  void Open() {
    auto store = SqliteStore::Open((dir_ / "parley.db").string(), clock_);
    auto inbox = SqliteInbox::Open((dir_ / "inbox.db").string(), clock_);
    auto outbox = SqliteOutbox::Open((dir_ / "outbox.db").string(), clock_);
    if (!store.ok() || !inbox.ok() || !outbox.ok()) std::abort();
    outbox_ = std::move(outbox).value();
    store_ = std::move(store).value();
    inbox_ = std::move(inbox).value();
  }

  const core::Clock& clock_;
  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteInbox> inbox_;
  std::unique_ptr<SqliteOutbox> outbox_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
                         ::testing::Values(storage::testing::BackendFactory{
                             "sqlite_file",
                             [](const core::Clock& clock) {
                               return std::make_unique<SqliteBackend>(clock);
                             }}),
                         storage::testing::BackendName);

}  // namespace
}  // namespace parley::sqlite
