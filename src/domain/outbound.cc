#include "parley/domain/outbound.h"

namespace parley::domain {

std::string OutboxReference(OutboxId id) { return "parley:outbox:" + id.ToString(); }

std::optional<OutboxId> ParseOutboxReference(std::string_view tag) {
  constexpr std::string_view kPrefix = "parley:outbox:";
  if (!tag.starts_with(kPrefix)) return std::nullopt;
  return core::ParseId<OutboxId>(tag.substr(kPrefix.size()));
}

}  // namespace parley::domain
