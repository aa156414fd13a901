// Keyset cursors for conversation lists, shared by every backend so that a cursor from one page
// means the same thing everywhere. Opaque to clients.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parley/core/result.h"
#include "parley/storage/store.h"

namespace parley::storage {

// The sort key of the last row of a page.
struct ConversationCursor {
  ConversationSort sort = ConversationSort::kPriority;
  std::int64_t priority = 0;       // kPriority
  std::int64_t due_at_ms = 0;      // kPriority
  std::int64_t updated_at_ms = 0;  // kRecent
  std::int64_t id = 0;
};

std::string EncodeCursor(const ConversationCursor& cursor);
// Fails with kInvalidArgument for a malformed cursor or one made for another sort.
core::Result<ConversationCursor> DecodeCursor(std::string_view text, ConversationSort sort);

// Whether a row with this key comes strictly after the cursor in the sort order.
bool IsAfter(const ConversationCursor& cursor, const IndexFields& row, std::int64_t id);

core::Status ValidateQuery(const ConversationQuery& query);

}  // namespace parley::storage
