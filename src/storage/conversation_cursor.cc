#include "parley/storage/conversation_cursor.h"

#include <charconv>
#include <tuple>
#include <vector>

namespace parley::storage {
namespace {

core::Error BadCursor() {
  return core::MakeError(core::ErrorCode::kInvalidArgument,
                         "cursor is malformed or belongs to another sort order");
}

}  // namespace

std::string EncodeCursor(const ConversationCursor& cursor) {
  if (cursor.sort == ConversationSort::kPriority) {
    return "p." + std::to_string(cursor.priority) + "." + std::to_string(cursor.due_at_ms) + "." +
           std::to_string(cursor.id);
  }
  return "r." + std::to_string(cursor.updated_at_ms) + "." + std::to_string(cursor.id);
}

core::Result<ConversationCursor> DecodeCursor(std::string_view text, ConversationSort sort) {
  std::vector<std::int64_t> numbers;
  if (text.size() < 2 || text[1] != '.') return BadCursor();
  const char tag = text[0];
  if ((sort == ConversationSort::kPriority) != (tag == 'p') || (tag != 'p' && tag != 'r')) {
    return BadCursor();
  }
  std::string_view rest = text.substr(2);
  while (!rest.empty()) {
    const std::size_t dot = rest.find('.');
    std::string_view part = rest.substr(0, dot);
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || ptr != part.data() + part.size() || part.empty()) return BadCursor();
    numbers.push_back(value);
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  ConversationCursor cursor;
  cursor.sort = sort;
  if (sort == ConversationSort::kPriority) {
    if (numbers.size() != 3) return BadCursor();
    cursor.priority = numbers[0];
    cursor.due_at_ms = numbers[1];
    cursor.id = numbers[2];
  } else {
    if (numbers.size() != 2) return BadCursor();
    cursor.updated_at_ms = numbers[0];
    cursor.id = numbers[1];
  }
  return cursor;
}

bool IsAfter(const ConversationCursor& cursor, const IndexFields& row, std::int64_t id) {
  if (cursor.sort == ConversationSort::kPriority) {
    // Order: priority desc, due asc, id asc.
    return std::make_tuple(-static_cast<std::int64_t>(row.priority), row.due_at_ms, id) >
           std::make_tuple(-cursor.priority, cursor.due_at_ms, cursor.id);
  }
  // Order: updated desc, id desc.
  return std::make_tuple(-row.updated_at_ms, -id) >
         std::make_tuple(-cursor.updated_at_ms, -cursor.id);
}

core::Status ValidateQuery(const ConversationQuery& query) {
  if (!query.workspace_id.valid()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, "a workspace is required");
  }
  if (query.limit < 1 || query.limit > 500) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, "limit must be between 1 and 500");
  }
  return core::Ok();
}

}  // namespace parley::storage
