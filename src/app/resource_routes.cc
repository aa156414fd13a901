// The care resources of the API: workspaces, channel accounts, conversations with their
// cross-channel thread, and replies (through the outbox). Every handler narrows by the caller's
// restrictions with auth::Authorize; what a user may not see answers 404, as if absent.
#include <algorithm>
#include <charconv>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>

#include "parley/app/api.h"
#include "parley/app/application.h"
#include "parley/app/routes.h"
#include "parley/core/time.h"
#include "parley/domain/json_codec.h"
#include "parley/routing/setup.h"
#include "parley/telemetry/log.h"

namespace parley::app {

using auth::Permission;
using auth::Principal;
using nlohmann::json;

namespace {

// An account as the API shows it: never its credentials; where the platform must deliver.
json AccountView(const domain::ChannelAccount& account) {
  std::string webhook;
  switch (account.kind) {
    case domain::ChannelKind::kX:
      webhook = "/webhooks/x";
      break;
    case domain::ChannelKind::kFacebook:
    case domain::ChannelKind::kInstagram:
    case domain::ChannelKind::kWhatsApp:
      webhook = "/webhooks/meta";
      break;
    case domain::ChannelKind::kGeneric:
      webhook = "/webhooks/generic?account=" + account.platform_account_id;
      break;
    case domain::ChannelKind::kEmail:
      webhook = "/webhooks/email?account=" + account.platform_account_id;
      break;
    case domain::ChannelKind::kWebChat:  // where the widget (/chat/widget.js) connects
      webhook = "/chat/ws?account=" + account.platform_account_id;
      break;
    default:
      break;
  }
  json credentials = json::array();
  for (const auto& [name, value] : account.credentials) credentials.push_back(name);
  return {{"id", account.id.ToString()},
          {"workspace_id", account.workspace_id.ToString()},
          {"kind", domain::ToString(account.kind)},
          {"name", account.name},
          {"platform_account_id", account.platform_account_id},
          {"enabled", account.enabled},
          {"webhook_path", webhook},
          {"credentials_set", credentials}};
}

// A credential an account uses: whether it is Parley's to share (a value chosen for the account,
// pasted into the platform or the sending system) or the platform's to give (pasted into
// Parley's configuration; never shown back), and where it goes or comes from.
struct CredentialUse {
  const char* name;
  bool share;
  const char* where;
};

std::vector<CredentialUse> CredentialUses(domain::ChannelKind kind) {
  switch (kind) {
    case domain::ChannelKind::kX:
      return {{"consumer_secret", false,
               "the X app's API secret (developer portal, Keys and tokens): checks the CRC and "
               "x-twitter-webhooks-signature"},
              {"access_token", false,
               "an OAuth 2.0 user access token of the brand's account: for replies, DMs, hiding "
               "and likes"}};
    case domain::ChannelKind::kFacebook:
    case domain::ChannelKind::kInstagram:
    case domain::ChannelKind::kWhatsApp:
      return {{"verify_token", true,
               "the Meta app's Webhooks settings: Verify token, next to the callback URL"},
              {"app_secret", false,
               "the Meta app's App secret (App settings, Basic): checks X-Hub-Signature-256"},
              {"access_token", false,
               "the page access token (Facebook, Instagram) or a system user token with "
               "whatsapp_business_messaging (WhatsApp): for everything sent"}};
    case domain::ChannelKind::kGeneric:
      return {{"secret", true, "the sending system: the HMAC key of X-Parley-Signature"}};
    case domain::ChannelKind::kEmail:
      return {{"secret", true,
               "the mail forwarder posting to the webhook: the HMAC key of X-Parley-Signature"},
              {"username", false, "the SMTP login, when the server wants one"},
              {"password", false, "the SMTP password"},
              {"imap_username", false, "the mailbox's login (default: username)"},
              {"imap_password", false, "the mailbox's password (default: password)"}};
    case domain::ChannelKind::kWebChat:
      return {{"identity_secret", true,
               "your site's server: data-user-hash is HMAC-SHA256(identity_secret, user id)"}};
    default:
      return {};
  }
}

auth::Scope ScopeOf(const domain::Conversation& conversation) {
  auth::Scope scope;
  scope.workspace = conversation.workspace_id;
  scope.team = conversation.team_id;
  return scope;
}

}  // namespace

void Audit(Application& app, const Principal& who, domain::WorkspaceId workspace,
           std::string action, std::string subject_type, std::string subject_id) {
  domain::AuditEvent event;
  event.workspace_id = workspace;
  event.at = app.clock().Now();
  event.actor = "user:" + who.user.id.ToString();
  event.action = std::move(action);
  event.subject_type = std::move(subject_type);
  event.subject_id = std::move(subject_id);
  event.details_json = "{}";
  if (auto appended = app.store().AppendAudit(std::move(event)); !appended.ok()) {
    telemetry::LogError("audit.append_failed", {{"error", appended.error().message}});
  }
}

http::HttpResponse NotFound(std::string_view what) {
  return http::ErrorResponse(404, "not_found", "no such " + std::string(what));
}

core::Result<std::optional<domain::Workspace>> VisibleWorkspace(Application& app,
                                                                const Principal& who,
                                                                const std::string& id_text,
                                                                Permission permission) {
  const auto id = core::ParseId<domain::WorkspaceId>(id_text);
  if (!id || !auth::Authorize(who.user, permission, {*id, {}, {}}).ok()) {
    return std::optional<domain::Workspace>();
  }
  return storage::Get<domain::Workspace>(app.store(), *id);
}

core::Result<std::optional<domain::Conversation>> VisibleConversation(Application& app,
                                                                      const Principal& who,
                                                                      const std::string& id_text,
                                                                      Permission permission) {
  auto id = core::ParseId<domain::ConversationId>(id_text);
  if (!id) return std::optional<domain::Conversation>();
  auto conversation = storage::Get<domain::Conversation>(app.store(), *id);
  PARLEY_TRY(conversation);
  if (!conversation->has_value() ||
      !auth::Authorize(who.user, permission, ScopeOf(**conversation)).ok()) {
    return std::optional<domain::Conversation>();
  }
  return conversation;
}

http::HttpResponse ApiJson(int status, const json& body) {
  return http::JsonResponse(status, body.dump());
}

core::Result<std::optional<domain::AgentId>> AgentOfUser(Application& app, const domain::User& user,
                                                         domain::WorkspaceId workspace) {
  PARLEY_ASSIGN_OR_RETURN(auto agents, storage::ListAll<domain::Agent>(app.store(), workspace));
  for (const auto& agent : agents) {
    const auto email = auth::NormaliseEmail(agent.email);
    if (email.ok() && *email == user.email) {
      return std::optional<domain::AgentId>(agent.id);
    }
  }
  return std::optional<domain::AgentId>();
}

core::Result<engine::Outcome> RouteNow(Application& app, domain::WorkspaceId workspace,
                                       engine::RoutingCommand command) {
  engine::EngineThread* engine = app.directory().EngineFor(workspace);
  if (engine == nullptr) {
    return core::MakeError(core::ErrorCode::kNotFound, "no workspace " + workspace.ToString());
  }
  using Answer = core::Result<std::vector<engine::Outcome>>;
  auto promise = std::make_shared<std::promise<Answer>>();
  auto answer = promise->get_future();
  std::vector<engine::Command> commands;
  commands.emplace_back(std::move(command));
  engine->Submit(std::move(commands),
                 [promise](Answer result) { promise->set_value(std::move(result)); });
  if (answer.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    return core::MakeError(core::ErrorCode::kUnavailable,
                           "the workspace's engine did not answer within 5 s; the action may "
                           "still take effect: reload the conversation before trying again");
  }
  PARLEY_ASSIGN_OR_RETURN(auto outcomes, answer.get());
  if (outcomes.size() != 1) {
    return core::MakeError(core::ErrorCode::kInternal, "the engine gave no outcome");
  }
  if (outcomes.front().refusal) return *outcomes.front().refusal;
  return outcomes.front();
}

core::Result<domain::OutboxItem> QueueReply(Application& app, const Principal& who,
                                            const domain::Conversation& conversation,
                                            const ReplyRequest& request) {
  auto documents = app.store().ListConversationMessages(conversation.id, 1000);
  PARLEY_TRY(documents);
  auto messages = storage::DecodeAll<domain::Message>(*documents);
  PARLEY_TRY(messages);
  const domain::Message* target = nullptr;
  const std::string& wanted = request.message_id;
  for (const auto& message : *messages) {
    if (message.direction != domain::Direction::kInbound) continue;
    if (wanted.empty() || message.id.ToString() == wanted) target = &message;
  }
  if (target == nullptr) {
    return core::MakeError(core::ErrorCode::kFailedPrecondition,
                           wanted.empty() ? "the conversation has no customer message to "
                                            "answer"
                                          : "message_id is not a customer message of this "
                                            "conversation");
  }
  auto account = app.directory().FindAccount(target->channel_account_id);
  if (!request.move_to_email.empty()) {
    account.reset();
    for (const auto& mailbox : app.directory().AccountsOfKind(domain::ChannelKind::kEmail)) {
      if (mailbox.workspace_id == conversation.workspace_id) {
        account = mailbox;
        break;
      }
    }
    if (!account) {
      return core::MakeError(core::ErrorCode::kFailedPrecondition,
                             "this brand has no email account to move the answer to");
    }
  }
  if (!account || !auth::Authorize(who.user, Permission::kReply,
                                   {account->workspace_id, account->id, conversation.team_id})
                       .ok()) {
    return core::MakeError(core::ErrorCode::kPermissionDenied,
                           "you may not reply on this channel account");
  }
  // No collisions (C3.5): only the assignee replies, and not from a stale view.
  auto agent = AgentOfUser(app, who.user, conversation.workspace_id);
  PARLEY_TRY(agent);
  engine::RoutingCommand check;
  check.kind = engine::RoutingCommand::Kind::kCheckReply;
  check.conversation = conversation.id;
  check.agent = agent->value_or(domain::AgentId());
  check.seen_version = request.seen_version;
  PARLEY_TRY(RouteNow(app, conversation.workspace_id, std::move(check)));
  domain::OutboxItem item;
  item.workspace_id = conversation.workspace_id;
  item.channel_account_id = account->id;
  item.conversation_id = conversation.id;
  item.user_id = who.user.id;
  item.agent_id = agent->value_or(domain::AgentId());
  item.action.text = request.text;
  item.action.target_platform_id = target->platform_message_id;
  item.action.recipient_platform_user_id = target->author.platform_user_id;
  if (account->kind == domain::ChannelKind::kEmail) {
    // An answer in the customer's thread: "Re: <their subject>", under their References.
    const std::string& subject = target->subject;
    item.action.subject =
        subject.empty() || subject.rfind("Re:", 0) == 0 || subject.rfind("RE:", 0) == 0
            ? subject
            : "Re: " + subject;
    if (!target->platform_thread_id.empty()) {
      item.action.references = {target->platform_thread_id};
    }
  }
  const bool already_private = target->visibility == domain::Visibility::kPrivate;
  if (!request.move_to_email.empty() && target->channel != domain::ChannelKind::kEmail) {
    // A new email thread: no In-Reply-To (the customer's message was elsewhere).
    item.action.kind = domain::OutboundKind::kDirectMessage;
    item.action.recipient_platform_user_id = request.move_to_email;
    item.action.target_platform_id.clear();
    item.action.references.clear();
    auto brand = storage::Get<domain::Workspace>(app.store(), item.workspace_id);
    PARLEY_TRY(brand);
    item.action.subject = *brand ? "Your message to " + (*brand)->name : "Your message";
  } else if (!request.make_private || already_private) {
    item.action.kind = already_private && account->kind != domain::ChannelKind::kWhatsApp
                           ? domain::OutboundKind::kDirectMessage
                           : domain::OutboundKind::kReply;
  } else if (target->kind == domain::MessageKind::kComment) {
    item.action.kind = domain::OutboundKind::kPrivateReply;  // Facebook, Instagram
  } else {
    item.action.kind = domain::OutboundKind::kDirectMessage;  // X: move to DM
  }
  return app.Enqueue(std::move(item));
}

void AddResourceRoutes(Api& api, Application& app) {
  api.Add("GET", "/api/v1/workspaces", Permission::kReadConversations,
          [&app](const http::HttpRequest&, const http::RouteParams&, const Principal& who) {
            json items = json::array();
            for (const auto& workspace : app.directory().Workspaces()) {
              if (!auth::MaySeeWorkspace(who.user, workspace.id)) continue;
              items.push_back(json(workspace));
            }
            return ApiJson(200, {{"items", items}});
          });

  api.Add("GET", "/api/v1/channel-accounts", Permission::kReadConversations,
          [&app](const http::HttpRequest&, const http::RouteParams&, const Principal& who) {
            json items = json::array();
            for (const auto& account : app.directory().AllAccounts()) {
              if (!auth::Authorize(who.user, Permission::kReadConversations,
                                   {account.workspace_id, account.id, {}})
                       .ok()) {
                continue;
              }
              items.push_back(AccountView(account));
            }
            return ApiJson(200, {{"items", items}});
          });

  // The buzz (C6): the workspace's customers' messages per minute, for the wallboard's chart.
  api.Add("GET", "/api/v1/workspaces/{id}/buzz", Permission::kReadReports,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            int minutes = 30;
            if (auto given = request.Query("minutes")) {
              const auto [end, error] =
                  std::from_chars(given->data(), given->data() + given->size(), minutes);
              if (error != std::errc() || end != given->data() + given->size() || minutes < 1 ||
                  minutes > Buzz::kMinutes) {
                return http::ErrorResponse(400, "invalid_argument",
                                           "minutes: a whole number from 1 to 1440");
              }
            }
            auto workspace = VisibleWorkspace(app, who, params.at("id"), Permission::kReadReports);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (!workspace->has_value()) return NotFound("workspace");
            const core::Timestamp now = app.clock().Now();
            const auto counts = app.buzz().Minutes((*workspace)->id, now, minutes);
            const std::int64_t last = Buzz::MinuteOf(now);
            json items = json::array();
            for (std::size_t i = 0; i < counts.size(); ++i) {
              const std::int64_t minute = last - static_cast<std::int64_t>(counts.size()) + 1 +
                                          static_cast<std::int64_t>(i);
              items.push_back({{"at", core::FormatIso8601(core::FromMillis(minute * 60'000))},
                               {"messages", counts[i]}});
            }
            return ApiJson(200, {{"minutes", items},
                                 {"counting_since", core::FormatIso8601(app.buzz().started())}});
          });

  // What an admin needs to connect the account on its platform: where it delivers and each
  // credential, with the value of those Parley's side chose to share (audited).
  api.Add("GET", "/api/v1/channel-accounts/{id}/setup", Permission::kManageChannels,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            const auto id = core::ParseId<domain::ChannelAccountId>(params.at("id"));
            std::optional<domain::ChannelAccount> found;
            for (const auto& account : app.directory().AllAccounts()) {
              if (id && account.id == *id) found = account;
            }
            if (!found || !auth::Authorize(who.user, Permission::kManageChannels,
                                           {found->workspace_id, found->id, {}})
                               .ok()) {
              return NotFound("channel account");
            }
            json credentials = json::array();
            for (const CredentialUse& use : CredentialUses(found->kind)) {
              const auto value = found->credentials.find(use.name);
              json item{{"name", use.name},
                        {"set", value != found->credentials.end() && !value->second.empty()},
                        {"share", use.share},
                        {"where", use.where}};
              if (use.share && item["set"].get<bool>()) item["value"] = value->second;
              credentials.push_back(std::move(item));
            }
            Audit(app, who, found->workspace_id, "channel_account.setup_read", "channel_account",
                  found->id.ToString());
            auto response =
                ApiJson(200, {{"account", AccountView(*found)}, {"credentials", credentials}});
            response.headers.emplace_back("Cache-Control", "no-store");  // it holds secrets
            return response;
          });

  api.Add(
      "GET", "/api/v1/conversations", Permission::kReadConversations,
      [&app](const http::HttpRequest& request, const http::RouteParams&, const Principal& who) {
        storage::ConversationQuery query;
        // The workspace: named, or the only one the caller may see.
        if (auto named = request.Query("workspace")) {
          auto id = core::ParseId<domain::WorkspaceId>(*named);
          if (!id) return http::ErrorResponse(400, "invalid_argument", "workspace: not an id");
          query.workspace_id = *id;
        } else {
          std::vector<domain::WorkspaceId> visible;
          for (const auto& workspace : app.directory().Workspaces()) {
            if (auth::MaySeeWorkspace(who.user, workspace.id)) visible.push_back(workspace.id);
          }
          if (visible.size() != 1) {
            return http::ErrorResponse(
                400, "invalid_argument",
                "workspace is required (you may see " + std::to_string(visible.size()) + ")");
          }
          query.workspace_id = visible.front();
        }
        if (!auth::Authorize(who.user, Permission::kReadConversations, {query.workspace_id, {}, {}})
                 .ok()) {
          return NotFound("workspace");
        }
        for (auto it = request.query.lower_bound("status");
             it != request.query.end() && it->first == "status"; ++it) {
          auto status = domain::ParseEnum<domain::ConversationStatus>(it->second);
          if (!status) {
            return http::ErrorResponse(400, "invalid_argument",
                                       "status: unknown value '" + it->second + "'");
          }
          query.statuses.push_back(*status);
        }
        auto id_param = [&request](const char* name, auto& out) -> bool {
          auto text = request.Query(name);
          if (!text) return true;
          auto id = core::ParseId<std::decay_t<decltype(out)>>(*text);
          if (!id) return false;
          out = *id;
          return true;
        };
        if (!id_param("team", query.team_id) || !id_param("assignee", query.assignee_id) ||
            !id_param("customer", query.customer_id)) {
          return http::ErrorResponse(400, "invalid_argument",
                                     "team, assignee and customer are ids");
        }
        // A team-restricted user sees their teams' work only.
        if (!who.user.team_ids.empty()) {
          if (!query.team_id) {
            if (who.user.team_ids.size() != 1) {
              return http::ErrorResponse(400, "invalid_argument",
                                         "team is required (you work in several)");
            }
            query.team_id = who.user.team_ids.front();
          } else if (!auth::Authorize(who.user, Permission::kReadConversations,
                                      {query.workspace_id, {}, query.team_id})
                          .ok()) {
            return NotFound("team");
          }
        }
        const std::string sort = request.Query("sort").value_or("priority");
        if (sort == "priority") {
          query.sort = storage::ConversationSort::kPriority;
        } else if (sort == "recent") {
          query.sort = storage::ConversationSort::kRecent;
        } else {
          return http::ErrorResponse(400, "invalid_argument", "sort: priority or recent");
        }
        query.cursor = request.Query("cursor").value_or("");
        if (auto limit = request.Query("limit")) {
          auto value = core::ParseIdValue(*limit);
          if (!value || *value > 500) {
            return http::ErrorResponse(400, "invalid_argument", "limit: 1 to 500");
          }
          query.limit = static_cast<int>(*value);
        }
        auto page = app.store().QueryConversations(query);
        if (!page.ok()) return ErrorFor(page.error());
        json items = json::array();
        // Each with who it is with, for the inbox's row: the customer's name, handle and reach.
        std::map<std::string, json> customers;
        for (const auto& document : page->documents) {
          json item = json::parse(document);
          const std::string customer_id = item.value("customer_id", std::string());
          auto known = customers.find(customer_id);
          if (known == customers.end()) {
            json summary = nullptr;
            if (const auto id = core::ParseId<domain::CustomerId>(customer_id)) {
              auto customer = storage::Get<domain::Customer>(app.store(), *id);
              if (!customer.ok()) return ErrorFor(customer.error());
              if (customer->has_value()) {
                const domain::Customer& c = **customer;
                summary = {{"id", customer_id}, {"display_name", c.display_name}};
                std::int64_t reach = 0;
                for (const auto& identity : c.identities) {
                  if (!summary.contains("handle") && !identity.handle.empty()) {
                    summary["handle"] = identity.handle;
                  }
                  reach = std::max(reach, identity.followers);
                }
                summary["followers"] = reach;
                if (!c.key_customer_tier.empty())
                  summary["key_customer_tier"] = c.key_customer_tier;
              }
            }
            known = customers.emplace(customer_id, std::move(summary)).first;
          }
          item["customer"] = known->second;
          items.push_back(std::move(item));
        }
        return ApiJson(200, {{"items", items},
                             {"next_cursor", page->next_cursor.empty() ? json(nullptr)
                                                                       : json(page->next_cursor)}});
      });

  api.Add("GET", "/api/v1/conversations/{id}", Permission::kReadConversations,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto conversation =
                VisibleConversation(app, who, params.at("id"), Permission::kReadConversations);
            if (!conversation.ok()) return ErrorFor(conversation.error());
            if (!conversation->has_value()) return NotFound("conversation");
            auto messages = app.store().ListConversationMessages((*conversation)->id, 1000);
            if (!messages.ok()) return ErrorFor(messages.error());
            auto customer =
                storage::Get<domain::Customer>(app.store(), (*conversation)->customer_id);
            if (!customer.ok()) return ErrorFor(customer.error());
            json thread = json::array();
            for (const auto& document : *messages) thread.push_back(json::parse(document));
            return ApiJson(200, {{"conversation", json(**conversation)},
                                 {"customer", customer->has_value() ? json(**customer) : json()},
                                 {"messages", thread}});
          });

  // A reply: to the message named (default: the customer's latest), in public or in private,
  // through the outbox (docs/channels/outbound.md).
  api.Add(
      "POST", "/api/v1/conversations/{id}/replies", Permission::kReply,
      [&app](const http::HttpRequest& request, const http::RouteParams& params,
             const Principal& who) {
        auto body = JsonBody(request, {"text", "private", "message_id", "seen_version", "email"});
        if (!body.ok()) return ErrorFor(body.error());
        if (body->contains("seen_version") && !(*body)["seen_version"].is_number_integer()) {
          return http::ErrorResponse(400, "invalid_argument",
                                     "seen_version: the conversation's version as you saw it");
        }
        if (!(*body)["text"].is_string() || (*body)["text"].get<std::string>().empty()) {
          return http::ErrorResponse(400, "invalid_argument", "text is a required string");
        }
        if (body->contains("private") && !(*body)["private"].is_boolean()) {
          return http::ErrorResponse(400, "invalid_argument", "private: expected true or false");
        }
        ReplyRequest reply;
        reply.text = (*body)["text"].get<std::string>();
        reply.make_private = body->value("private", false);
        if (body->contains("email")) {
          const json& address = (*body)["email"];
          reply.move_to_email = address.is_string() ? address.get<std::string>() : std::string();
          const auto at = reply.move_to_email.find('@');
          if (at == std::string::npos || at == 0 || at + 1 == reply.move_to_email.size() ||
              reply.move_to_email.size() > 254 ||
              reply.move_to_email.find_first_of(" \t\r\n<>,;") != std::string::npos) {
            return http::ErrorResponse(400, "invalid_argument",
                                       "email: the customer's address, to move the answer to");
          }
        }
        if ((*body).contains("message_id") && (*body)["message_id"].is_string()) {
          reply.message_id = (*body)["message_id"].get<std::string>();
        }
        if (body->contains("seen_version")) {
          reply.seen_version = (*body)["seen_version"].get<std::int64_t>();
        }
        auto conversation = VisibleConversation(app, who, params.at("id"), Permission::kReply);
        if (!conversation.ok()) return ErrorFor(conversation.error());
        if (!conversation->has_value()) return NotFound("conversation");
        auto queued = QueueReply(app, who, **conversation, reply);
        if (!queued.ok()) return ErrorFor(queued.error());
        return ApiJson(202, {{"outbox_id", queued->id.ToString()},
                             {"kind", domain::ToString(queued->action.kind)},
                             {"state", domain::ToString(queued->state)}});
      });

  AddRoutingRoutes(api, app);
}

namespace {

// The conversation the caller may act on with `permission`, and their agent profile in its
// workspace (none when they have no agent with their email there).
struct Acting {
  domain::Conversation conversation;
  std::optional<domain::AgentId> agent;
};
core::Result<Acting> ActOn(Application& app, const Principal& who, const std::string& id,
                           Permission permission) {
  PARLEY_ASSIGN_OR_RETURN(auto conversation, VisibleConversation(app, who, id, permission));
  if (!conversation) return core::MakeError(core::ErrorCode::kNotFound, "no such conversation");
  PARLEY_ASSIGN_OR_RETURN(auto agent, AgentOfUser(app, who.user, conversation->workspace_id));
  return Acting{std::move(*conversation), agent};
}

core::Error NoAgentProfile() {
  return core::MakeError(core::ErrorCode::kFailedPrecondition,
                         "you have no agent profile in this workspace (an agent with your email)");
}

// Runs the action on the conversation's engine; answers the conversation as it stands after.
http::HttpResponse Routed(Application& app, const domain::Conversation& conversation,
                          engine::RoutingCommand command) {
  command.conversation = conversation.id;
  if (auto done = RouteNow(app, conversation.workspace_id, std::move(command)); !done.ok()) {
    return ErrorFor(done.error());
  }
  auto now = storage::Get<domain::Conversation>(app.store(), conversation.id);
  if (!now.ok()) return ErrorFor(now.error());
  return ApiJson(200, {{"conversation", now->has_value() ? json(**now) : json()}});
}

}  // namespace

void AddRoutingRoutes(Api& api, Application& app) {
  // The workspace's teams, agents, calendars and SLA policies as one document, in the shape of
  // a routing file (docs/routing.md): read it, change it, put it back.
  api.Add("GET", "/api/v1/workspaces/{id}/routing", Permission::kReadConversations,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto workspace =
                VisibleWorkspace(app, who, params.at("id"), Permission::kReadConversations);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (!workspace->has_value()) return NotFound("workspace");
            auto setup = GetRoutingSetup(app.store(), **workspace);
            if (!setup.ok()) return ErrorFor(setup.error());
            return ApiJson(200, *setup);
          });

  api.Add("PUT", "/api/v1/workspaces/{id}/routing", Permission::kManageOrganisation,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body =
                JsonBody(request, std::set<std::string>(routing::kRoutingDocumentKeys.begin(),
                                                        routing::kRoutingDocumentKeys.end()));
            if (!body.ok()) return ErrorFor(body.error());
            // One change of set-up at a time: names are matched to stored ids.
            static std::mutex changing;
            std::lock_guard lock(changing);
            auto workspace =
                VisibleWorkspace(app, who, params.at("id"), Permission::kManageOrganisation);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (!workspace->has_value()) return NotFound("workspace");
            storage::WriteBatch batch;
            if (auto put = PutRoutingSetup(app.store(), app.ids(), **workspace, *body, batch);
                !put.ok()) {
              return ErrorFor(put.error());
            }
            if (auto written = app.store().Apply(batch); !written.ok()) {
              return ErrorFor(written.error());
            }
            engine::RoutingCommand reload;
            reload.kind = engine::RoutingCommand::Kind::kReload;
            const domain::WorkspaceId id = (*workspace)->id;
            if (auto reloaded = RouteNow(app, id, std::move(reload)); !reloaded.ok()) {
              return ErrorFor(reloaded.error());
            }
            telemetry::LogInfo("workspace.routing_changed",
                               {{"workspace", id.value()}, {"by", who.user.id.value()}});
            auto setup = GetRoutingSetup(app.store(), **workspace);
            if (!setup.ok()) return ErrorFor(setup.error());
            return ApiJson(200, *setup);
          });

  // Take over: the caller becomes the assignee, above their cap if need be (C3.5).
  api.Add("POST", "/api/v1/conversations/{id}/take", Permission::kTakeOver,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {});
            if (!body.ok()) return ErrorFor(body.error());
            auto acting = ActOn(app, who, params.at("id"), Permission::kTakeOver);
            if (!acting.ok()) return ErrorFor(acting.error());
            if (!acting->agent) return ErrorFor(NoAgentProfile());
            engine::RoutingCommand command;
            command.kind = engine::RoutingCommand::Kind::kAssign;
            command.agent = *acting->agent;
            command.note = "taken over by " + who.user.display_name;
            return Routed(app, acting->conversation, std::move(command));
          });

  // Assign to a named agent by hand (a supervisor, a team leader).
  api.Add("POST", "/api/v1/conversations/{id}/assign", Permission::kAssign,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {"agent_id", "reason"});
            if (!body.ok()) return ErrorFor(body.error());
            const auto agent =
                (*body)["agent_id"].is_string()
                    ? core::ParseId<domain::AgentId>((*body)["agent_id"].get<std::string>())
                    : std::nullopt;
            if (!agent) {
              return http::ErrorResponse(400, "invalid_argument", "agent_id: an agent's id");
            }
            if (body->contains("reason") && !(*body)["reason"].is_string()) {
              return http::ErrorResponse(400, "invalid_argument", "reason: expected text");
            }
            auto acting = ActOn(app, who, params.at("id"), Permission::kAssign);
            if (!acting.ok()) return ErrorFor(acting.error());
            engine::RoutingCommand command;
            command.kind = engine::RoutingCommand::Kind::kAssign;
            command.agent = *agent;
            command.note = body->value("reason", "assigned by " + who.user.display_name);
            return Routed(app, acting->conversation, std::move(command));
          });

  // Resolve, with a resolution code: the clocks stop and the agent's place frees.
  api.Add("POST", "/api/v1/conversations/{id}/resolve", Permission::kReply,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {"resolution_code"});
            if (!body.ok()) return ErrorFor(body.error());
            if (body->contains("resolution_code") && !(*body)["resolution_code"].is_string()) {
              return http::ErrorResponse(400, "invalid_argument", "resolution_code: expected text");
            }
            auto acting = ActOn(app, who, params.at("id"), Permission::kReply);
            if (!acting.ok()) return ErrorFor(acting.error());
            // Like a reply: the assignee's to do, or someone's who may take it over.
            const auto& assignee = acting->conversation.assignee_id;
            if (assignee && acting->agent != assignee &&
                !auth::RoleGrants(who.user.role, Permission::kTakeOver)) {
              return http::ErrorResponse(403, "permission_denied",
                                         "assigned to someone else; take it over to resolve");
            }
            engine::RoutingCommand command;
            command.kind = engine::RoutingCommand::Kind::kResolve;
            command.note = body->value("resolution_code", "");
            auto workspace =
                storage::Get<domain::Workspace>(app.store(), acting->conversation.workspace_id);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (*workspace && !(*workspace)->resolution_codes.empty()) {
              const auto& codes = (*workspace)->resolution_codes;
              if (std::find(codes.begin(), codes.end(), command.note) == codes.end()) {
                std::string list;
                for (const auto& code : codes) list += (list.empty() ? "" : ", ") + code;
                return http::ErrorResponse(422, "failed_precondition",
                                           "resolution_code: one of " + list);
              }
            }
            return Routed(app, acting->conversation, std::move(command));
          });

  // The caller takes the next conversation from their teams' queues, within their cap.
  api.Add("POST", "/api/v1/workspaces/{id}/pull", Permission::kReply,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {});
            if (!body.ok()) return ErrorFor(body.error());
            const auto workspace = core::ParseId<domain::WorkspaceId>(params.at("id"));
            if (!workspace || app.directory().EngineFor(*workspace) == nullptr ||
                !auth::Authorize(who.user, Permission::kReply, {*workspace, {}, {}}).ok()) {
              return NotFound("workspace");
            }
            auto agent = AgentOfUser(app, who.user, *workspace);
            if (!agent.ok()) return ErrorFor(agent.error());
            if (!agent->has_value()) return ErrorFor(NoAgentProfile());
            engine::RoutingCommand command;
            command.kind = engine::RoutingCommand::Kind::kPull;
            command.agent = **agent;
            auto pulled = RouteNow(app, *workspace, std::move(command));
            if (!pulled.ok()) return ErrorFor(pulled.error());
            auto conversation =
                storage::Get<domain::Conversation>(app.store(), pulled->conversation_id);
            if (!conversation.ok()) return ErrorFor(conversation.error());
            return ApiJson(
                200, {{"conversation", conversation->has_value() ? json(**conversation) : json()}});
          });
}

namespace {

// Ids from a JSON array of strings; kInvalidArgument naming the field otherwise.
template <typename IdType>
core::Result<std::vector<IdType>> IdList(const json& value, const char* field) {
  std::vector<IdType> out;
  if (!value.is_array()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           std::string(field) + ": expected an array of ids");
  }
  for (const auto& item : value) {
    auto id = item.is_string() ? core::ParseId<IdType>(item.get<std::string>()) : std::nullopt;
    if (!id) {
      return core::MakeError(core::ErrorCode::kInvalidArgument,
                             std::string(field) + ": " + item.dump() + " is not an id");
    }
    out.push_back(*id);
  }
  return out;
}

// A restricted admin manages only users within their own workspaces, and cannot hand out more.
core::Status WithinEditor(const domain::User& editor, const domain::User& target) {
  if (editor.workspace_ids.empty()) return core::Ok();
  if (target.workspace_ids.empty()) {
    return core::MakeError(core::ErrorCode::kPermissionDenied,
                           "only an admin of every workspace can manage an unrestricted user");
  }
  for (auto id : target.workspace_ids) {
    if (std::find(editor.workspace_ids.begin(), editor.workspace_ids.end(), id) ==
        editor.workspace_ids.end()) {
      return core::MakeError(core::ErrorCode::kPermissionDenied,
                             "workspace " + id.ToString() + " is outside your own");
    }
  }
  return core::Ok();
}

}  // namespace

void AddUserRoutes(Api& api, Application& app) {
  api.Add("GET", "/api/v1/users", Permission::kManageUsers,
          [&app](const http::HttpRequest&, const http::RouteParams&, const Principal&) {
            auto users = storage::ListAll<domain::User>(app.store(), domain::WorkspaceId());
            if (!users.ok()) return ErrorFor(users.error());
            json items = json::array();
            for (const auto& user : *users) items.push_back(UserView(user));
            return ApiJson(200, {{"items", items}});
          });

  api.Add("POST", "/api/v1/users", Permission::kManageUsers,
          [&app](const http::HttpRequest& request, const http::RouteParams&, const Principal& who) {
            auto body =
                JsonBody(request, {"email", "display_name", "role", "password", "workspace_ids"});
            if (!body.ok()) return ErrorFor(body.error());
            json& b = *body;  // not const: operator[] on a missing key of a const json is UB
            if (!b["email"].is_string() || !b["password"].is_string() || !b["role"].is_string() ||
                (b.contains("display_name") && !b["display_name"].is_string())) {
              return http::ErrorResponse(400, "invalid_argument",
                                         "email, role and password are required strings");
            }
            auto role = domain::ParseEnum<domain::Role>(b["role"].get<std::string>());
            if (!role) return http::ErrorResponse(400, "invalid_argument", "role: unknown value");
            domain::User planned;
            if (b.contains("workspace_ids")) {
              auto ids = IdList<domain::WorkspaceId>(b["workspace_ids"], "workspace_ids");
              if (!ids.ok()) return ErrorFor(ids.error());
              planned.workspace_ids = std::move(ids).value();
            }
            if (auto within = WithinEditor(who.user, planned); !within.ok()) {
              return ErrorFor(within.error());
            }
            auto user = app.accounts().CreateUser(
                b["email"].get<std::string>(), b.value("display_name", std::string()), *role,
                b["password"].get<std::string>(), planned.workspace_ids);
            if (!user.ok()) return ErrorFor(user.error());
            return ApiJson(201, UserView(*user));
          });

  api.Add("PATCH", "/api/v1/users/{id}", Permission::kManageUsers,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {"display_name", "role", "disabled", "workspace_ids",
                                           "channel_account_ids", "team_ids"});
            if (!body.ok()) return ErrorFor(body.error());
            json& b = *body;
            auto id = core::ParseId<domain::UserId>(params.at("id"));
            if (!id) return NotFound("user");
            auto updated = app.accounts().UpdateUser(*id, [&](domain::User& user) -> core::Status {
              PARLEY_TRY(WithinEditor(who.user, user));  // may the editor touch this user?
              if (b.contains("display_name")) {
                if (!b["display_name"].is_string()) {
                  return core::MakeError(core::ErrorCode::kInvalidArgument,
                                         "display_name: expected a string");
                }
                user.display_name = b["display_name"].get<std::string>();
              }
              if (b.contains("role")) {
                auto role = b["role"].is_string()
                                ? domain::ParseEnum<domain::Role>(b["role"].get<std::string>())
                                : std::nullopt;
                if (!role) {
                  return core::MakeError(core::ErrorCode::kInvalidArgument, "role: unknown value");
                }
                if (*role != user.role && user.id == who.user.id) {
                  // Nobody locks themselves (and maybe everyone) out of administration.
                  return core::MakeError(core::ErrorCode::kFailedPrecondition,
                                         "you cannot change your own role: another admin can");
                }
                user.role = *role;
              }
              if (b.contains("disabled")) {
                if (!b["disabled"].is_boolean()) {
                  return core::MakeError(core::ErrorCode::kInvalidArgument,
                                         "disabled: expected true or false");
                }
                if (b["disabled"].get<bool>() && user.id == who.user.id) {
                  return core::MakeError(core::ErrorCode::kFailedPrecondition,
                                         "you cannot disable yourself");
                }
                user.disabled = b["disabled"].get<bool>();
                if (user.disabled) ++user.session_generation;  // out at once
              }
              if (b.contains("workspace_ids")) {
                auto ids = IdList<domain::WorkspaceId>(b["workspace_ids"], "workspace_ids");
                PARLEY_TRY(ids);
                for (auto workspace : *ids) {
                  if (app.directory().EngineFor(workspace) == nullptr) {
                    return core::MakeError(core::ErrorCode::kInvalidArgument,
                                           "workspace_ids: no workspace " + workspace.ToString());
                  }
                }
                user.workspace_ids = std::move(ids).value();
              }
              if (b.contains("channel_account_ids")) {
                auto ids = IdList<domain::ChannelAccountId>(b["channel_account_ids"],
                                                            "channel_account_ids");
                PARLEY_TRY(ids);
                user.channel_account_ids = std::move(ids).value();
              }
              if (b.contains("team_ids")) {
                auto ids = IdList<domain::TeamId>(b["team_ids"], "team_ids");
                PARLEY_TRY(ids);
                user.team_ids = std::move(ids).value();
              }
              return WithinEditor(who.user, user);  // and not beyond the editor's reach
            });
            if (!updated.ok()) return ErrorFor(updated.error());
            return ApiJson(200, UserView(*updated));
          });
}

}  // namespace parley::app
