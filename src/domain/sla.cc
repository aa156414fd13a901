#include "parley/domain/sla.h"

#include <chrono>

namespace parley::domain {

SlaPolicy DefaultSlaPolicy(WorkspaceId workspace) {
  using std::chrono::hours;
  using std::chrono::minutes;
  SlaPolicy policy;
  policy.workspace_id = workspace;
  policy.name = "Default";
  policy.business_hours = false;
  auto add = [&](SlaMetric metric, std::optional<ChannelKind> channel, std::optional<Tier> tier,
                 Duration target, Duration warn) {
    policy.targets.push_back(SlaTarget{metric, channel, tier, target, warn});
  };
  add(SlaMetric::kFirstResponse, ChannelKind::kX, Tier::kTier1, minutes(15), minutes(5));
  add(SlaMetric::kFirstResponse, ChannelKind::kFacebook, Tier::kTier1, hours(1), minutes(15));
  add(SlaMetric::kFirstResponse, std::nullopt, Tier::kTier1, hours(1), minutes(15));
  add(SlaMetric::kFirstResponse, std::nullopt, std::nullopt, hours(4), minutes(30));
  add(SlaMetric::kNextResponse, std::nullopt, std::nullopt, hours(2), minutes(15));
  add(SlaMetric::kResolution, std::nullopt, std::nullopt, hours(24), hours(2));
  return policy;
}

std::optional<SlaTarget> FindTarget(const SlaPolicy& policy, SlaMetric metric, ChannelKind channel,
                                    Tier tier) {
  std::optional<SlaTarget> best;
  int best_score = -1;
  for (const SlaTarget& target : policy.targets) {
    if (target.metric != metric) continue;
    if (target.channel && *target.channel != channel) continue;
    if (target.tier && *target.tier != tier) continue;
    const int score = (target.channel ? 2 : 0) + (target.tier ? 1 : 0);
    if (score > best_score) {
      best = target;
      best_score = score;
    }
  }
  return best;
}

}  // namespace parley::domain
