#include "parley/cli/demo_agents.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "parley/app/api.h"
#include "parley/telemetry/log.h"

namespace parley::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Phrases {
  std::string_view language;
  std::array<std::string_view, 3> answers;
};

// What a care agent writes back, in the customer's language.
constexpr std::array<Phrases, 6> kAnswers{{
    {"en",
     {"Thanks for getting in touch, and sorry for the trouble. I've looked into it and sorted it "
      "on our side: you should see the change within the hour. Anything else, just reply here.",
      "I'm sorry about this. I've passed it to the right team with your details and they'll "
      "follow up today. Thanks for your patience.",
      "Thank you for the kind words! I've shared them with the team: it made their day."}},
    {"es",
     {"Gracias por escribirnos y perdona las molestias. Ya lo he revisado y está resuelto por "
      "nuestra parte; lo verás en menos de una hora.",
      "Lo siento mucho. Lo he pasado al equipo adecuado con tus datos y te contestarán hoy.",
      "¡Muchas gracias por tus palabras! Se las he pasado al equipo."}},
    {"fr",
     {"Merci de nous avoir écrit, et désolé pour le désagrément. C'est réglé de notre côté : vous "
      "verrez le changement dans l'heure.",
      "Je suis désolé. J'ai transmis votre demande à l'équipe concernée, qui vous répondra "
      "aujourd'hui.",
      "Merci beaucoup pour votre message ! Je l'ai partagé avec l'équipe."}},
    {"de",
     {"Danke für Ihre Nachricht, und entschuldigen Sie die Umstände. Ich habe es geprüft und auf "
      "unserer Seite behoben.",
      "Das tut mir leid. Ich habe es mit Ihren Angaben an das zuständige Team gegeben; Sie hören "
      "heute von uns.",
      "Vielen Dank für das Lob! Ich habe es an das Team weitergegeben."}},
    {"pt",
     {"Obrigado pelo contacto e desculpe o incómodo. Já verifiquei e ficou resolvido do nosso "
      "lado.",
      "Lamento muito. Passei o caso à equipa certa, que lhe responde ainda hoje.",
      "Muito obrigado pelas palavras simpáticas! Partilhei com a equipa."}},
    {"it",
     {"Grazie per averci scritto e scusi il disagio. Ho controllato e l'ho risolto da parte "
      "nostra.",
      "Mi dispiace molto. Ho passato la richiesta al team giusto, che le risponderà oggi.",
      "Grazie mille per le belle parole! Le ho condivise con il team."}},
}};

std::string_view AnswerIn(std::string_view language, bool positive, std::mt19937_64& random) {
  const Phrases* phrases = &kAnswers[0];
  for (const auto& p : kAnswers) {
    if (p.language == language) phrases = &p;
  }
  return positive ? phrases->answers[2] : phrases->answers[random() % 2];
}

}  // namespace

void DemoAgents::Run() {
  // A moment for the engines to load; then a look every two seconds.
  if (!loop_.Sleep(std::chrono::seconds(1))) return;
  Connect();
  while (loop_.Sleep(std::chrono::seconds(2))) Step();
}

void DemoAgents::Connect() {
  for (const auto& workspace : app_.directory().Workspaces()) {
    auto agents = storage::ListAll<domain::Agent>(app_.store(), workspace.id);
    if (!agents.ok()) continue;
    for (const auto& agent : *agents) {
      if (!agent.email.ends_with(kSimulatedAgentDomain)) continue;
      auto user = app_.accounts().FindUserByEmail(agent.email);
      if (!user.ok() || !user->has_value()) {
        telemetry::LogWarn("demo.agent_without_login", {{"agent", agent.display_name}});
        continue;
      }
      for (const auto kind :
           {engine::RoutingCommand::Kind::kSetStatus, engine::RoutingCommand::Kind::kConnected}) {
        engine::RoutingCommand command;
        command.kind = kind;
        command.agent = agent.id;
        command.presence = domain::Presence::kOnline;
        if (auto done = app::RouteNow(app_, workspace.id, std::move(command)); !done.ok()) {
          telemetry::LogWarn("demo.agent_not_connected",
                             {{"agent", agent.display_name}, {"error", done.error().message}});
        }
      }
      agents_.push_back({workspace.id, agent.id, **user});
    }
  }
  telemetry::LogInfo("demo.agents", {{"simulated", static_cast<std::int64_t>(agents_.size())}});
}

void DemoAgents::Step() {
  const auto now = Clock::now();
  std::map<std::pair<std::int64_t, std::int64_t>, Clock::time_point> seen;
  for (const Simulated& who : agents_) {
    storage::ConversationQuery query;
    query.workspace_id = who.workspace;
    query.assignee_id = who.agent;
    query.statuses = {domain::ConversationStatus::kAssigned,
                      domain::ConversationStatus::kWaitingOnCustomer};
    query.limit = 50;
    auto page = app_.store().QueryConversations(query);
    if (!page.ok()) continue;
    auto conversations = storage::DecodeAll<domain::Conversation>(page->documents);
    if (!conversations.ok()) continue;
    for (const auto& conversation : *conversations) {
      // Each state of a conversation (its version) gets its own moment: an answer 20–90 s after
      // it is theirs to answer, a resolution 1–4 minutes after the customer went quiet.
      const std::pair key{conversation.id.value(), conversation.version};
      const bool answer = conversation.status == domain::ConversationStatus::kAssigned;
      auto due = due_.find(key);
      const Clock::time_point when =
          due != due_.end()
              ? due->second
              : now + std::chrono::seconds(answer ? 20 + random_() % 70 : 60 + random_() % 180);
      seen.emplace(key, Clock::time_point::max());  // acted on below: once per state
      if (now < when) {
        seen[key] = when;
        continue;
      }
      // Parley cannot answer on a generic source (an app store's reviews): resolved instead.
      const bool answerable =
          std::any_of(conversation.channels.begin(), conversation.channels.end(),
                      [](domain::ChannelKind c) { return c != domain::ChannelKind::kGeneric; });
      if (answer && answerable) {
        Answer(who, conversation);
      } else {
        Resolve(who, conversation);
      }
    }
  }
  due_ = std::move(seen);
}

void DemoAgents::Answer(const Simulated& who, const domain::Conversation& conversation) {
  app::ReplyRequest reply;
  // Triage's summary says "positive" for praise (its intent positive_experience).
  const auto& why = conversation.priority_reasons;
  const bool positive = std::find(why.begin(), why.end(), "positive") != why.end();
  reply.text = std::string(AnswerIn(conversation.language, positive, random_));
  reply.seen_version = conversation.version;
  auth::Principal principal{who.user, std::nullopt, std::nullopt};
  if (auto queued = app::QueueReply(app_, principal, conversation, reply); !queued.ok()) {
    telemetry::LogInfo("demo.agent_did_not_answer", {{"conversation", conversation.id.value()},
                                                     {"reason", queued.error().message}});
  }
}

void DemoAgents::Resolve(const Simulated& who, const domain::Conversation& conversation) {
  engine::RoutingCommand command;
  command.kind = engine::RoutingCommand::Kind::kResolve;
  command.conversation = conversation.id;
  command.agent = who.agent;
  auto workspace = storage::Get<domain::Workspace>(app_.store(), who.workspace);
  if (workspace.ok() && *workspace && !(*workspace)->resolution_codes.empty()) {
    const auto& codes = (*workspace)->resolution_codes;
    command.note = codes[random_() % codes.size()];
  }
  if (auto done = app::RouteNow(app_, who.workspace, std::move(command)); !done.ok()) {
    telemetry::LogInfo("demo.agent_did_not_resolve", {{"conversation", conversation.id.value()},
                                                      {"reason", done.error().message}});
  }
}

}  // namespace parley::cli
