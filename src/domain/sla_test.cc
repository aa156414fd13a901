#include "parley/domain/sla.h"

#include <gtest/gtest.h>

namespace parley::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TEST(SlaPolicy, DefaultsFollowTheSeeds) {
  const SlaPolicy policy = DefaultSlaPolicy(WorkspaceId(1));
  EXPECT_EQ(FindTarget(policy, SlaMetric::kFirstResponse, ChannelKind::kX, Tier::kTier1)->target,
            minutes(15));
  EXPECT_EQ(
      FindTarget(policy, SlaMetric::kFirstResponse, ChannelKind::kFacebook, Tier::kTier1)->target,
      hours(1));
  EXPECT_EQ(FindTarget(policy, SlaMetric::kFirstResponse, ChannelKind::kX, Tier::kTier2)->target,
            hours(4));
  EXPECT_EQ(FindTarget(policy, SlaMetric::kResolution, ChannelKind::kEmail, Tier::kTier2)->target,
            hours(24));
}

TEST(SlaPolicy, MostSpecificTargetWins) {
  SlaPolicy policy;
  policy.targets = {
      {SlaMetric::kFirstResponse, std::nullopt, std::nullopt, hours(8), {}},
      {SlaMetric::kFirstResponse, std::nullopt, Tier::kTier1, hours(2), {}},
      {SlaMetric::kFirstResponse, ChannelKind::kWhatsApp, std::nullopt, hours(1), {}},
  };
  EXPECT_EQ(
      FindTarget(policy, SlaMetric::kFirstResponse, ChannelKind::kWhatsApp, Tier::kTier1)->target,
      hours(1));
  EXPECT_EQ(FindTarget(policy, SlaMetric::kFirstResponse, ChannelKind::kX, Tier::kTier1)->target,
            hours(2));
  EXPECT_FALSE(FindTarget(policy, SlaMetric::kResolution, ChannelKind::kX, Tier::kTier1));
}

}  // namespace
}  // namespace parley::domain
