#include "parley/domain/lifecycle.h"

#include <gtest/gtest.h>

namespace parley::domain {
namespace {

TEST(Lifecycle, EveryStatusHasAName) {
  for (const auto& [status, name] : EnumNames<ConversationStatus>::kNames) {
    EXPECT_EQ(ParseEnum<ConversationStatus>(name), status);
  }
  for (const auto& [status, name] : EnumNames<DeliveryStatus>::kNames) {
    EXPECT_EQ(ParseEnum<DeliveryStatus>(name), status);
  }
  EXPECT_FALSE(ParseEnum<ConversationStatus>("open"));
}

TEST(Lifecycle, ClosedIsFinal) {
  for (const auto& [to, name] : EnumNames<ConversationStatus>::kNames) {
    if (to != ConversationStatus::kClosed) {
      EXPECT_FALSE(CanTransition(ConversationStatus::kClosed, to)) << name;
    }
  }
}

TEST(Lifecycle, FinalDeliveryStatesStayFinal) {
  for (const auto& [to, name] : EnumNames<DeliveryStatus>::kNames) {
    if (to != DeliveryStatus::kRejected) {
      EXPECT_FALSE(CanTransition(DeliveryStatus::kRejected, to)) << name;
    }
    if (to != DeliveryStatus::kRead) {
      EXPECT_FALSE(CanTransition(DeliveryStatus::kRead, to)) << name;
    }
  }
}

TEST(Lifecycle, EveryStatusIsReachableFromTheStart) {
  // Walk the table from kQueued; every status must be reachable, or it is dead weight.
  std::vector<ConversationStatus> reached{ConversationStatus::kQueued};
  for (std::size_t i = 0; i < reached.size(); ++i) {
    for (const auto& t : ConversationTransitions()) {
      if (t.from == reached[i] &&
          std::find(reached.begin(), reached.end(), t.to) == reached.end()) {
        reached.push_back(t.to);
      }
    }
  }
  EXPECT_EQ(reached.size(), EnumNames<ConversationStatus>::kNames.size());
}

TEST(Lifecycle, TransitionRefusesMovesOutsideTheTable) {
  ConversationStatus status = ConversationStatus::kClosed;
  const auto refused = Transition(status, ConversationStatus::kAssigned);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kFailedPrecondition);
  EXPECT_EQ(refused.error().message, "cannot move from closed to assigned");
  EXPECT_EQ(status, ConversationStatus::kClosed);

  PayloadState payload = PayloadState::kDeadLetter;
  EXPECT_TRUE(Transition(payload, PayloadState::kPending).ok());
  EXPECT_EQ(payload, PayloadState::kPending);
  EXPECT_TRUE(Transition(payload, PayloadState::kPending).ok());  // staying put is allowed
}

}  // namespace
}  // namespace parley::domain
