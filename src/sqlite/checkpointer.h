// WAL checkpoints on their own thread and connection. SQLite's automatic checkpoint runs inside
// the commit that crosses the threshold, on the writer's thread: the live engine (or the inbox's
// writer) would stop for the whole copy of the WAL back into the database. With a Checkpointer
// the writer only notes the WAL's size after each commit; the copy happens beside it (PASSIVE:
// it never blocks the writer or readers).
//
// Thread-safety: Attach before the writer's first commit; the rest is internal.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "parley/sqlite/database.h"

namespace parley::sqlite {

class Checkpointer {
 public:
  // Opens its own connection to `path`. `threshold_frames`: the WAL size (in pages) that
  // triggers a checkpoint, as SQLite's wal_autocheckpoint.
  static core::Result<std::unique_ptr<Checkpointer>> Start(const std::string& path,
                                                           Durability durability,
                                                           int threshold_frames = 1000);
  // Stops the thread after a last checkpoint.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Turns off the writer's automatic checkpoints and has it report its commits here instead.
  // REQUIRES: `writer` outlives this Checkpointer or is closed first.
  void Attach(Database& writer);

  std::int64_t checkpoints() const;

 private:
  Checkpointer(Database db, int threshold_frames);
  static int OnCommit(void* self, sqlite3* db, const char* name, int frames);
  void Loop();

  Database db_;  // used only by the thread
  const int threshold_frames_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool due_ = false;              // GUARDED_BY(mutex_)
  bool stopping_ = false;         // GUARDED_BY(mutex_)
  std::int64_t checkpoints_ = 0;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace parley::sqlite
