#include "parley/domain/conversation.h"

#include <gtest/gtest.h>

namespace parley::domain {
namespace {

const Timestamp kT0 = core::FromMillis(1'800'000'000'000);

Conversation Fresh() {
  Conversation c;
  c.id = ConversationId(1);
  c.opened_at = c.updated_at = kT0;
  return c;
}

TEST(Conversation, AssignReplyResolveReopen) {
  Conversation c = Fresh();
  ASSERT_TRUE(RecordMessage(c, ChannelKind::kX, Direction::kInbound, kT0).ok());
  EXPECT_EQ(c.status, ConversationStatus::kQueued);

  ASSERT_TRUE(MoveConversation(c, ConversationStatus::kAssigned, kT0, AgentId(7)).ok());
  EXPECT_EQ(c.assignee_id, AgentId(7));

  ASSERT_TRUE(RecordMessage(c, ChannelKind::kX, Direction::kOutbound, kT0 + Duration(60'000)).ok());
  EXPECT_EQ(c.status, ConversationStatus::kWaitingOnCustomer);
  EXPECT_EQ(c.first_response_at, kT0 + Duration(60'000));

  // The customer moves to DM: the same conversation, now on two channels, back with the agent.
  ASSERT_TRUE(
      RecordMessage(c, ChannelKind::kFacebook, Direction::kInbound, kT0 + Duration(120'000)).ok());
  EXPECT_EQ(c.status, ConversationStatus::kAssigned);
  EXPECT_EQ(c.assignee_id, AgentId(7));
  EXPECT_EQ(c.channels, (std::vector{ChannelKind::kX, ChannelKind::kFacebook}));
  EXPECT_EQ(c.message_count, 3);

  c.resolution_code = "fixed";
  ASSERT_TRUE(MoveConversation(c, ConversationStatus::kResolved, kT0 + Duration(180'000)).ok());
  EXPECT_FALSE(c.assignee_id.valid());
  EXPECT_EQ(c.last_assignee_id, AgentId(7));

  // The customer writes again: reopened into the queue; the sticky agent is remembered.
  ASSERT_TRUE(RecordMessage(c, ChannelKind::kX, Direction::kInbound, kT0 + Duration(240'000)).ok());
  EXPECT_EQ(c.status, ConversationStatus::kQueued);
  EXPECT_TRUE(c.resolution_code.empty());
  EXPECT_FALSE(c.resolved_at);
  EXPECT_EQ(c.last_assignee_id, AgentId(7));
}

TEST(Conversation, VersionGrowsWithEveryChange) {
  Conversation c = Fresh();
  const auto before = c.version;
  ASSERT_TRUE(MoveConversation(c, ConversationStatus::kAssigned, kT0, AgentId(1)).ok());
  ASSERT_TRUE(MoveConversation(c, ConversationStatus::kAssigned, kT0, AgentId(2)).ok());
  EXPECT_EQ(c.version, before + 2);
  EXPECT_EQ(c.assignee_id, AgentId(2));
  ASSERT_TRUE(MoveConversation(c, ConversationStatus::kAssigned, kT0, AgentId(2)).ok());
  EXPECT_EQ(c.version, before + 2);  // no change, no new version
}

TEST(Conversation, AssignedNeedsAnAssignee) {
  Conversation c = Fresh();
  EXPECT_EQ(MoveConversation(c, ConversationStatus::kAssigned, kT0).error().code,
            core::ErrorCode::kInvalidArgument);
  EXPECT_EQ(c.status, ConversationStatus::kQueued);
}

TEST(Conversation, ClosedTakesNoMessages) {
  Conversation c = Fresh();
  ASSERT_TRUE(MoveConversation(c, ConversationStatus::kClosed, kT0).ok());
  EXPECT_FALSE(RecordMessage(c, ChannelKind::kX, Direction::kInbound, kT0).ok());
  EXPECT_EQ(c.message_count, 0);
}

TEST(SlaDeadlines, EarliestWins) {
  SlaDeadlines sla;
  EXPECT_FALSE(sla.Earliest());
  sla.resolution_due = kT0 + Duration(100);
  sla.reply_window_closes = kT0 + Duration(50);
  sla.first_response_due = kT0 + Duration(70);
  EXPECT_EQ(sla.Earliest(), kT0 + Duration(50));
}

}  // namespace
}  // namespace parley::domain
