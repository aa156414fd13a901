// The live stream of `parley demo` (PRODUCT.md C9.1): simulated customers writing to the demo
// brand on every channel it has, in each platform's own wire format, stored in the raw inbox as
// a platform's delivery would be and processed by the same path. Several languages; complaints,
// questions, praise, spam and noise; a few influencers among the authors; and now and then a
// spike (an outage everyone writes about at once).
//
// Thread-safety: Start and Stop from one thread (demo_loop.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <random>
#include <string>

#include "parley/app/application.h"
#include "parley/cli/demo_loop.h"

namespace parley::cli {

class DemoStream {
 public:
  DemoStream(app::Application& app, std::uint64_t seed) : app_(app), random_(seed) {}
  ~DemoStream() { Stop(); }
  DemoStream(const DemoStream&) = delete;
  DemoStream& operator=(const DemoStream&) = delete;

  void Start() {
    loop_.Start([this] { Run(); });
  }
  void Stop() { loop_.Stop(); }

 private:
  void Run();
  // One simulated message on one of the brand's accounts; `spike`: about the outage.
  void Post(bool spike);

  app::Application& app_;
  std::mt19937_64 random_;
  std::uint64_t next_id_ = 1;
  DemoLoop loop_;
};

// The payload a platform would deliver for one simulated message (exposed for the tests).
struct DemoMessage {
  std::string id;  // unique within the stream
  std::string text;
  std::string user_id;
  std::string handle;  // without @
  std::string name;
  std::int64_t followers = 0;
  std::int64_t unix_seconds = 0;
};
std::string DemoPayload(const domain::ChannelAccount& account, const DemoMessage& message);

}  // namespace parley::cli
