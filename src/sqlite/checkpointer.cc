#include "parley/sqlite/checkpointer.h"

#include "parley/telemetry/log.h"

namespace parley::sqlite {

core::Result<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                                Durability durability,
                                                                int threshold_frames) {
  auto db = Database::Open(path, durability);
  PARLEY_TRY(db);
  return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(db).value(), threshold_frames));
}

Checkpointer::Checkpointer(Database db, int threshold_frames)
    : db_(std::move(db)), threshold_frames_(threshold_frames) {
  thread_ = std::thread([this] { Loop(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Checkpointer::Attach(Database& writer) {
  sqlite3_wal_hook(writer.handle(), &Checkpointer::OnCommit, this);
}

int Checkpointer::OnCommit(void* self, sqlite3*, const char*, int frames) {
  auto* checkpointer = static_cast<Checkpointer*>(self);
  if (frames >= checkpointer->threshold_frames_) {
    {
      std::lock_guard lock(checkpointer->mutex_);
      checkpointer->due_ = true;
    }
    checkpointer->cv_.notify_one();
  }
  return SQLITE_OK;
}

std::int64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

void Checkpointer::Loop() {
  while (true) {
    bool last = false;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return due_ || stopping_; });
      due_ = false;
      last = stopping_;
    }
    int wal_frames = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &wal_frames, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      telemetry::LogWarn("sqlite.checkpoint_failed", {{"error", sqlite3_errmsg(db_.handle())}});
    }
    {
      std::lock_guard lock(mutex_);
      ++checkpoints_;
    }
    if (last) return;
  }
}

}  // namespace parley::sqlite
