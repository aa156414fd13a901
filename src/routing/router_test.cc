#include "parley/routing/router.h"

#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "parley/core/time.h"

namespace parley::routing {
namespace {

using domain::Presence;
using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kStart = *core::ParseTimestamp("2026-03-27T09:00:00Z");

domain::Agent MakeAgent(std::int64_t id, std::string name, int cap,
                        std::vector<domain::Skill> skills = {}) {
  domain::Agent agent;
  agent.id = AgentId(id);
  agent.display_name = std::move(name);
  agent.max_concurrent = cap;
  agent.skills = std::move(skills);
  agent.presence = Presence::kOnline;
  return agent;
}

domain::Team MakeTeam(std::int64_t id, std::string name, std::vector<std::int64_t> members) {
  domain::Team team;
  team.id = TeamId(id);
  team.name = std::move(name);
  for (auto m : members) team.member_ids.push_back(AgentId(m));
  return team;
}

Arrival MakeArrival(std::int64_t id, std::int64_t customer, Timestamp at, int priority = 50) {
  Arrival arrival;
  arrival.conversation = ConversationId(id);
  arrival.customer = CustomerId(customer);
  arrival.team = TeamId(1);
  arrival.priority = priority;
  arrival.opened_at = at;
  return arrival;
}

std::vector<Event> Of(std::vector<Event> events, EventKind kind) {
  std::erase_if(events, [&](const Event& e) { return e.kind != kind; });
  return events;
}

std::unique_ptr<Router> Make(RouterConfig config) {
  auto router = Router::Create(std::move(config), kStart);
  EXPECT_TRUE(router.ok()) << router.error().message;
  for (const auto& [id, agent] : (*router)->agents()) {
    if (agent.status != Presence::kOffline) {
      EXPECT_TRUE((*router)->Connected(id, kStart).ok());
    }
  }
  (*router)->TakeEvents();
  return std::move(*router);
}

TEST(Router, AssignsTheLeastLoadedSkilledAgentAndSaysWhy) {
  RouterConfig config;
  config.agents = {MakeAgent(1, "Ana", 3, {{domain::SkillKind::kLanguage, "es", 5}}),
                   MakeAgent(2, "Ben", 3, {{domain::SkillKind::kLanguage, "en", 5}}),
                   MakeAgent(3, "Cy", 3)};
  config.teams = {MakeTeam(1, "Care", {1, 2, 3})};
  auto router = Make(config);
  auto arrival = MakeArrival(10, 100, kStart);
  arrival.language = "es";
  ASSERT_TRUE(router->Open(arrival, kStart).ok());
  const auto assigned = Of(router->TakeEvents(), EventKind::kAssigned);
  ASSERT_EQ(assigned.size(), 1u);
  // Ana and Cy (a generalist) qualify with the same load; Ana's Spanish wins.
  EXPECT_EQ(assigned[0].agent, AgentId(1));
  EXPECT_EQ(assigned[0].reason, "skills es, load 0/3, least loaded");
  ASSERT_EQ(assigned[0].considered.size(), 2u);
  EXPECT_EQ(assigned[0].considered[0].why_not, "lacks language es");
  EXPECT_EQ(assigned[0].considered[1].why_not, "also free, load 0/3");
}

TEST(Router, QueuesWhenNobodyQualifiesAndAssignsTheMomentSomeoneDoes) {
  RouterConfig config;
  config.agents = {MakeAgent(1, "Ana", 1)};
  config.teams = {MakeTeam(1, "Care", {1})};
  auto router = Make(config);
  ASSERT_TRUE(router->Open(MakeArrival(10, 100, kStart), kStart).ok());
  ASSERT_TRUE(router->Open(MakeArrival(11, 101, kStart + seconds(1)), kStart + seconds(1)).ok());
  const auto queued = Of(router->TakeEvents(), EventKind::kQueued);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].reason, "nobody can take it: Ana at cap 1/1");
  ASSERT_TRUE(router->Resolve(ConversationId(10), kStart + minutes(5)).ok());
  const auto assigned = Of(router->TakeEvents(), EventKind::kAssigned);
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].conversation, ConversationId(11));
  EXPECT_TRUE(router->CheckInvariants().ok());
}

TEST(Router, OnlyTheAssigneeRepliesAndAStaleViewIsRefusedWithWhatChanged) {
  RouterConfig config;
  config.agents = {MakeAgent(1, "Ana", 2), MakeAgent(2, "Ben", 2)};
  config.teams = {MakeTeam(1, "Care", {1, 2})};
  auto router = Make(config);
  ASSERT_TRUE(router->Open(MakeArrival(10, 100, kStart), kStart).ok());
  const AgentId owner = router->Find(ConversationId(10))->assignee;
  const AgentId other = owner == AgentId(1) ? AgentId(2) : AgentId(1);
  auto refused = router->AgentReplied(ConversationId(10), other, kStart + minutes(1));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, core::ErrorCode::kPermissionDenied);

  const std::int64_t seen = router->Find(ConversationId(10))->version;
  ASSERT_TRUE(router->CustomerWrote(ConversationId(10), kStart + minutes(2)).ok());
  auto stale = router->AgentReplied(ConversationId(10), owner, kStart + minutes(3), seen);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, core::ErrorCode::kConflict);
  EXPECT_NE(stale.error().message.find("the customer wrote"), std::string::npos);
  const std::int64_t fresh = router->Find(ConversationId(10))->version;
  EXPECT_TRUE(router->AgentReplied(ConversationId(10), owner, kStart + minutes(3), fresh).ok());
}

TEST(Router, ASilentAssigneeLosesTheConversationAndTheLeaderIsTold) {
  RouterConfig config;
  config.agents = {MakeAgent(1, "Ana", 2), MakeAgent(2, "Ben", 2)};
  config.teams = {MakeTeam(1, "Care", {1, 2})};
  config.teams[0].leader_id = AgentId(2);
  config.teams[0].reassign_after = minutes(30);
  auto router = Make(config);
  ASSERT_TRUE(router->Open(MakeArrival(10, 100, kStart), kStart).ok());
  const AgentId first = router->Find(ConversationId(10))->assignee;
  router->Advance(kStart + minutes(31));
  const auto events = router->TakeEvents();
  const auto alerts = Of(events, EventKind::kLeaderAlerted);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].agent, AgentId(2));
  EXPECT_EQ(alerts[0].at, kStart + minutes(30));
  EXPECT_NE(router->Find(ConversationId(10))->assignee, first);
  EXPECT_TRUE(router->CheckInvariants().ok());
}

TEST(Router, PresenceHasAGracePeriodOnDisconnect) {
  RouterConfig config;
  config.agents = {MakeAgent(1, "Ana", 2), MakeAgent(2, "Ben", 2)};
  config.teams = {MakeTeam(1, "Care", {1, 2})};
  config.presence_grace = seconds(60);
  auto router = Make(config);
  ASSERT_TRUE(router->Disconnected(AgentId(1), kStart).ok());
  ASSERT_TRUE(router->Connected(AgentId(1), kStart + seconds(30)).ok());  // a reload
  router->Advance(kStart + minutes(5));
  EXPECT_TRUE(Of(router->TakeEvents(), EventKind::kPresence).empty());
  ASSERT_TRUE(router->Open(MakeArrival(10, 100, kStart + minutes(5)), kStart + minutes(5)).ok());
  const AgentId owner = router->Find(ConversationId(10))->assignee;
  ASSERT_TRUE(router->Disconnected(owner, kStart + minutes(6)).ok());
  router->Advance(kStart + minutes(7) + seconds(1));
  const auto events = router->TakeEvents();
  ASSERT_EQ(Of(events, EventKind::kPresence).size(), 1u);
  EXPECT_EQ(Of(events, EventKind::kPresence)[0].at, kStart + minutes(7));
  EXPECT_NE(router->Find(ConversationId(10))->assignee, owner);
}

TEST(Router, AConversationOwedAnAnswerIsNotGivenToAnOfflineAgent) {
  RouterConfig config;
  config.agents = {MakeAgent(1, "Ana", 2), MakeAgent(2, "Ben", 2)};
  config.agents[1].presence = Presence::kOffline;
  config.teams = {MakeTeam(1, "Care", {1, 2})};
  auto router = Make(config);
  ASSERT_TRUE(router->Open(MakeArrival(10, 100, kStart), kStart).ok());
  auto refused = router->Assign(ConversationId(10), AgentId(2), kStart, "supervisor");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "Ben is offline and could not answer it");
  EXPECT_EQ(router->Find(ConversationId(10))->assignee, AgentId(1));
}

TEST(Router, RefusesAConfigurationThatDoesNotHoldTogether) {
  RouterConfig config;
  EXPECT_FALSE(Router::Create(config, kStart).ok());
  config.teams = {MakeTeam(1, "Care", {7})};
  EXPECT_NE(Router::Create(config, kStart).error().message.find("unknown member"),
            std::string::npos);
  config.agents = {MakeAgent(7, "Ana", 1)};
  config.teams[0].overflow_team_id = TeamId(9);
  EXPECT_NE(Router::Create(config, kStart).error().message.find("unknown overflow team"),
            std::string::npos);
}

// Thousands of interleaved events of every kind, in random order: after each, every guarantee
// holds, whatever the router decided.
TEST(Router, GuaranteesHoldUnderThousandsOfInterleavedEvents) {
  std::mt19937_64 random(20261123);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<std::uint64_t>(n)); };
  RouterConfig config;
  const std::vector<std::string> languages = {"en", "es", "fr"};
  const std::vector<std::string> topics = {"billing", "delivery", ""};
  for (int i = 1; i <= 16; ++i) {
    std::vector<domain::Skill> skills;
    if (pick(2) == 0) skills.push_back({domain::SkillKind::kLanguage, languages[pick(3)], 3});
    if (pick(3) == 0) skills.push_back({domain::SkillKind::kTopic, "billing", 4});
    auto agent = MakeAgent(i, "A" + std::to_string(i), 1 + pick(4), skills);
    if (pick(3) == 0) agent.channel_weights[domain::ChannelKind::kWhatsApp] = 2;
    config.agents.push_back(agent);
  }
  for (int t = 1; t <= 4; ++t) {
    auto team = MakeTeam(t, "T" + std::to_string(t), {});
    for (int i = 1; i <= 16; ++i) {
      if (pick(3) == 0) team.member_ids.push_back(AgentId(i));
    }
    team.leader_id = AgentId(1 + pick(16));
    if (t < 4) team.overflow_team_id = TeamId(t + 1);
    if (t == 4) team.overflow_team_id = TeamId(1);  // a cycle: overflow must not loop
    team.max_wait = minutes(5 + pick(20));
    if (pick(2) == 0) team.queue_cap = 2 + pick(6);
    team.reassign_after = minutes(10 + pick(30));
    team.distribution =
        pick(2) ? domain::Distribution::kRoundRobin : domain::Distribution::kLeastLoad;
    team.sticky_wait = pick(2) ? minutes(2) : Duration::zero();
    config.teams.push_back(team);
  }
  auto created = Router::Create(config, kStart);
  ASSERT_TRUE(created.ok()) << created.error().message;
  Router& router = **created;

  Timestamp now = kStart;
  std::int64_t next_conversation = 1;
  std::vector<ConversationId> known;
  int refused = 0;
  for (int step = 0; step < 6000; ++step) {
    now += seconds(pick(90));
    const AgentId agent(1 + pick(16));
    const ConversationId conversation =
        known.empty() ? ConversationId(1)
                      : known[static_cast<std::size_t>(pick(static_cast<int>(known.size())))];
    core::Status status;
    switch (pick(12)) {
      case 0:
      case 1:
      case 2: {
        Arrival arrival = MakeArrival(next_conversation++, 1 + pick(40), now, pick(101));
        arrival.team = TeamId(1 + pick(4));
        arrival.language = languages[pick(3)];
        arrival.topic = topics[pick(3)];
        arrival.channel = pick(2) ? domain::ChannelKind::kWhatsApp : domain::ChannelKind::kX;
        arrival.private_channel = arrival.channel == domain::ChannelKind::kWhatsApp;
        known.push_back(arrival.conversation);
        status = router.Open(arrival, now);
        break;
      }
      case 3:
        status = router.CustomerWrote(conversation, now);
        break;
      case 4: {
        const auto* c = router.Find(conversation);
        status = router.AgentReplied(conversation, c && pick(4) ? c->assignee : agent, now,
                                     c ? std::optional(c->version - pick(2)) : std::nullopt);
        break;
      }
      case 5:
        status = router.Resolve(conversation, now);
        break;
      case 6:
        status = router.Assign(conversation, agent, now, "supervisor");
        break;
      case 7: {
        auto pulled = router.Pull(agent, now);
        if (!pulled.ok()) status = pulled.error();
        break;
      }
      case 8: {
        static constexpr Presence kStates[] = {Presence::kOnline, Presence::kAway,
                                               Presence::kOffline};
        status = router.SetStatus(agent, kStates[pick(3)], now);
        break;
      }
      case 9:
        status = router.Connected(agent, now);
        break;
      case 10:
        status = router.Disconnected(agent, now);
        break;
      case 11:
        status = router.Reprioritise(conversation, pick(101), now);
        break;
    }
    if (!status.ok()) ++refused;
    const auto events = router.TakeEvents();
    const auto held = router.CheckInvariants();
    if (!held.ok()) {
      for (const auto& e : events) {
        std::cerr << ToString(e.kind) << " c" << e.conversation.ToString() << " a"
                  << e.agent.ToString() << " t" << e.team.ToString() << " " << e.reason << "\n";
      }
    }
    ASSERT_TRUE(held.ok()) << "step " << step << ": " << held.error().message;
  }
  EXPECT_GT(router.decisions(), 500u);
  EXPECT_GT(refused, 0);  // the random actions include impossible ones: refused, not crashed
}

TEST(Router, QueueDepthCountsTheQueueAndItsOldestArrival) {
  RouterConfig config;
  config.agents = {MakeAgent(1, "Ana", 1)};
  config.teams = {MakeTeam(1, "Care", {1})};
  auto router = Make(config);
  ASSERT_TRUE(router->Connected(AgentId(1), kStart).ok());
  ASSERT_TRUE(router->Open(MakeArrival(10, 100, kStart), kStart).ok());  // Ana takes it
  EXPECT_EQ(router->QueueDepth(TeamId(1), kStart).queued, 0u);
  ASSERT_TRUE(
      router->Open(MakeArrival(11, 101, kStart + minutes(1), 20), kStart + minutes(1)).ok());
  ASSERT_TRUE(
      router->Open(MakeArrival(12, 102, kStart + minutes(2), 90), kStart + minutes(2)).ok());
  const Event depth = router->QueueDepth(TeamId(1), kStart + minutes(3));
  EXPECT_EQ(depth.kind, EventKind::kQueueDepth);
  EXPECT_EQ(depth.queued, 2u);
  EXPECT_EQ(depth.oldest_queued_at, kStart + minutes(1));  // by arrival, not priority
  EXPECT_EQ(router->QueueDepth(TeamId(9), kStart).queued, 0u);
}

}  // namespace
}  // namespace parley::routing
