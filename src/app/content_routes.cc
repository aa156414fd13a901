// What admins and supervisors write and agents use: keyword tables and rules (which steer triage,
// C2.1 and C2.6), canned responses with variables (C4.4), notes on conversations, customers with
// their history, and the organisation's teams, agents, SLA policies and calendars as read-only
// lists (they are written as one routing document, resource_routes.cc).
//
// Keyword tables, rules and canned responses share one shape: listed and created under their
// workspace, read, replaced and deleted by id. A change to a table or a rule is compiled before it
// is stored and applies to the next message (Application::EditTriage).
#include <algorithm>
#include <charconv>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "parley/app/api.h"
#include "parley/app/application.h"
#include "parley/app/routes.h"
#include "parley/channels/email/email_parser.h"
#include "parley/domain/json_codec.h"
#include "parley/telemetry/log.h"
#include "parley/triage/triage.h"

namespace parley::app {

using auth::Permission;
using auth::Principal;
using nlohmann::json;

namespace {

// A message the principal may read (through its conversation), or nothing.
core::Result<std::optional<domain::Message>> VisibleMessage(Application& app, const Principal& who,
                                                            const std::string& text) {
  const auto id = core::ParseId<domain::MessageId>(text);
  if (!id) return std::optional<domain::Message>();
  auto message = storage::Get<domain::Message>(app.store(), *id);
  PARLEY_TRY(message);
  if (!message->has_value() || !(*message)->conversation_id)
    return std::optional<domain::Message>();
  auto conversation = VisibleConversation(app, who, (*message)->conversation_id.ToString(),
                                          Permission::kReadConversations);
  PARLEY_TRY(conversation);
  if (!conversation->has_value()) return std::optional<domain::Message>();
  return message;
}

// The bytes of an attachment, as a download: never rendered by the browser as a page of ours.
http::HttpResponse AttachmentResponse(const channels::email::AttachmentContent& content) {
  http::HttpResponse response;
  response.status = 200;
  response.content_type =
      content.mime_type.empty() ? "application/octet-stream" : content.mime_type;
  std::string name;
  for (const char c : content.name) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) continue;
    name.push_back(c);
  }
  response.headers.emplace_back(
      "Content-Disposition",
      "attachment; filename=\"" + (name.empty() ? "attachment" : name) + "\"");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Content-Security-Policy", "sandbox");
  response.body = content.bytes;
  return response;
}

// A string field of a body: absent is empty.
core::Status ReadString(const json& body, const char* key, std::string& out) {
  if (!body.contains(key) || body.at(key).is_null()) return core::Ok();
  if (!body.at(key).is_string()) return Invalid(std::string(key) + ": expected a string");
  out = body.at(key).get<std::string>();
  return core::Ok();
}

core::Status ReadStrings(const json& body, const char* key, std::vector<std::string>& out) {
  if (!body.contains(key) || body.at(key).is_null()) return core::Ok();
  if (!body.at(key).is_array()) return Invalid(std::string(key) + ": expected a list of strings");
  for (const json& item : body.at(key)) {
    if (!item.is_string()) return Invalid(std::string(key) + ": expected a list of strings");
    out.push_back(item.get<std::string>());
  }
  return core::Ok();
}

// How the API reads and shows one kind of workspace content.
template <typename T>
struct Content;

template <>
struct Content<domain::KeywordTable> {
  static constexpr const char* kNoun = "keyword table";
  static constexpr const char* kCollection = "keyword-tables";
  static constexpr const char* kAudit = "keyword_table";
  static std::set<std::string> Fields() {
    return {"id", "workspace_id", "version", "name", "language", "entries"};
  }
  static core::Result<domain::KeywordTable> Parse(json body) {
    body.erase("workspace_id");
    body.erase("version");
    return triage::ParseKeywordTable(body, "keyword_table");
  }
  static json View(const domain::KeywordTable& table) {
    json out = triage::KeywordTableJson(table);
    out["workspace_id"] = table.workspace_id.ToString();
    out["version"] = table.version;
    return out;
  }
  static bool SameName(const domain::KeywordTable& a, const domain::KeywordTable& b) {
    return a.name == b.name && a.language == b.language;
  }
  static std::string Named(const domain::KeywordTable& table) {
    return "a keyword table named \"" + table.name + "\"" +
           (table.language.empty() ? "" : " (" + table.language + ")");
  }
};

template <>
struct Content<domain::Rule> {
  static constexpr const char* kNoun = "rule";
  static constexpr const char* kCollection = "rules";
  static constexpr const char* kAudit = "rule";
  static std::set<std::string> Fields() {
    return {"id", "workspace_id", "name", "order", "enabled", "when", "then", "stop"};
  }
  static core::Result<domain::Rule> Parse(json body) {
    body.erase("workspace_id");
    return triage::ParseRule(body, "rule");
  }
  static json View(const domain::Rule& rule) {
    json out = triage::RuleJson(rule);
    out["workspace_id"] = rule.workspace_id.ToString();
    return out;
  }
  static bool SameName(const domain::Rule& a, const domain::Rule& b) { return a.name == b.name; }
  static std::string Named(const domain::Rule& rule) {
    return "a rule named \"" + rule.name + "\"";
  }
};

template <>
struct Content<domain::CannedResponse> {
  static constexpr const char* kNoun = "canned response";
  static constexpr const char* kCollection = "canned-responses";
  static constexpr const char* kAudit = "canned_response";
  static std::set<std::string> Fields() {
    return {"id",   "workspace_id", "name",         "shortcut", "language",
            "text", "tags",         "pre_approved", "variables"};
  }
  static core::Result<domain::CannedResponse> Parse(const json& body) {
    domain::CannedResponse response;
    PARLEY_TRY(ReadString(body, "name", response.name));
    PARLEY_TRY(ReadString(body, "shortcut", response.shortcut));
    PARLEY_TRY(ReadString(body, "language", response.language));
    PARLEY_TRY(ReadString(body, "text", response.text));
    PARLEY_TRY(ReadStrings(body, "tags", response.tags));
    if (body.contains("pre_approved")) {
      if (!body.at("pre_approved").is_boolean()) {
        return Invalid("pre_approved: expected true or false");
      }
      response.pre_approved = body.at("pre_approved").get<bool>();
    }
    if (response.name.empty()) return Invalid("name is required");
    if (response.text.empty()) return Invalid("text is required");
    if (!response.shortcut.empty() && response.shortcut.front() != '/') {
      return Invalid("shortcut: starts with '/', as typed in the reply box (\"/refund\")");
    }
    if (auto variables = domain::TemplateVariables(response.text); !variables.ok()) {
      return Invalid("text: " + variables.error().message);
    }
    return response;
  }
  static json View(const domain::CannedResponse& response) {
    json out = response;
    auto variables = domain::TemplateVariables(response.text);
    out["variables"] = variables.ok() ? json(*variables) : json::array();
    return out;
  }
  static bool SameName(const domain::CannedResponse& a, const domain::CannedResponse& b) {
    return a.name == b.name || (!a.shortcut.empty() && a.shortcut == b.shortcut);
  }
  static std::string Named(const domain::CannedResponse& response) {
    return "a canned response named \"" + response.name + "\"" +
           (response.shortcut.empty() ? "" : " or with the shortcut " + response.shortcut);
  }
};

// The list an edit of T changes, of the two triage keeps.
template <typename T>
std::vector<T>& ListOf(std::vector<domain::KeywordTable>& tables,
                       std::vector<domain::Rule>& rules) {
  if constexpr (std::is_same_v<T, domain::KeywordTable>) {
    return tables;
  } else {
    return rules;
  }
}

template <typename T>
using Change = std::function<core::Status(std::vector<T>& stored, storage::WriteBatch& batch)>;

// Runs a change of a workspace's content of kind T, one at a time: tables and rules through
// triage (compiled before stored), the rest straight to the store.
template <typename T>
core::Status Save(Application& app, domain::WorkspaceId workspace, const Change<T>& change) {
  if constexpr (std::is_same_v<T, domain::KeywordTable> || std::is_same_v<T, domain::Rule>) {
    return app.EditTriage(workspace, [&](auto& tables, auto& rules, storage::WriteBatch& batch) {
      return change(ListOf<T>(tables, rules), batch);
    });
  } else {
    static std::mutex changing;
    std::lock_guard lock(changing);
    PARLEY_ASSIGN_OR_RETURN(auto stored, storage::ListAll<T>(app.store(), workspace));
    storage::WriteBatch batch;
    PARLEY_TRY(change(stored, batch));
    return app.store().Apply(batch);
  }
}

// The answer to a create or a replace: the error, or the item as stored, after its audit entry.
template <typename T>
http::HttpResponse Saved(Application& app, const Principal& who, const core::Status& saved,
                         const T& item, const std::string& audit, const char* action, int status) {
  if (!saved.ok()) return ErrorFor(saved.error());
  Audit(app, who, item.workspace_id, audit + action, audit, item.id.ToString());
  return ApiJson(status, Content<T>::View(item));
}

// The stored T named by `id_text` if the caller may act on it with `permission`.
template <typename T>
core::Result<std::optional<T>> VisibleItem(Application& app, const Principal& who,
                                           const std::string& id_text, Permission permission) {
  const auto id = core::ParseId<typename storage::EntityTraits<T>::Id>(id_text);
  if (!id) return std::optional<T>();
  PARLEY_ASSIGN_OR_RETURN(auto item, storage::Get<T>(app.store(), *id));
  if (!item || !auth::Authorize(who.user, permission, {item->workspace_id, {}, {}}).ok()) {
    return std::optional<T>();
  }
  return item;
}

// GET and POST /api/v1/workspaces/{id}/<collection>; GET, PUT and DELETE /api/v1/<collection>/{id}.
template <typename T>
void AddContentCollection(Api& api, Application& app) {
  using C = Content<T>;
  const std::string collection = C::kCollection;
  const std::string noun = C::kNoun;
  const std::string audit = C::kAudit;

  api.Add("GET", "/api/v1/workspaces/{id}/" + collection, Permission::kReadConversations,
          [&app, noun](const http::HttpRequest&, const http::RouteParams& params,
                       const Principal& who) {
            auto workspace =
                VisibleWorkspace(app, who, params.at("id"), Permission::kReadConversations);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (!workspace->has_value()) return NotFound("workspace");
            auto items = storage::ListAll<T>(app.store(), (*workspace)->id);
            if (!items.ok()) return ErrorFor(items.error());
            json out = json::array();
            for (const T& item : *items) out.push_back(C::View(item));
            return ApiJson(200, {{"items", out}});
          });

  api.Add("POST", "/api/v1/workspaces/{id}/" + collection, Permission::kManageContent,
          [&app, audit](const http::HttpRequest& request, const http::RouteParams& params,
                        const Principal& who) {
            auto body = JsonBody(request, C::Fields());
            if (!body.ok()) return ErrorFor(body.error());
            auto workspace =
                VisibleWorkspace(app, who, params.at("id"), Permission::kManageContent);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (!workspace->has_value()) return NotFound("workspace");
            auto parsed = C::Parse(*body);
            if (!parsed.ok()) return ErrorFor(parsed.error());
            T item = std::move(parsed).value();
            item.workspace_id = (*workspace)->id;
            item.id = app.ids().NextId<typename storage::EntityTraits<T>::Id>();
            if constexpr (requires { item.version; }) item.version = 1;
            auto saved = Save<T>(
                app, item.workspace_id, [&](std::vector<T>& stored, storage::WriteBatch& batch) {
                  for (const T& other : stored) {
                    if (C::SameName(other, item)) {
                      return core::Status(
                          core::MakeError(core::ErrorCode::kAlreadyExists,
                                          C::Named(other) + " exists: change that one"));
                    }
                  }
                  stored.push_back(item);
                  batch.Put(item);
                  return core::Ok();
                });
            return Saved<T>(app, who, saved, item, audit, ".created", 201);
          });

  api.Add("GET", "/api/v1/" + collection + "/{id}", Permission::kReadConversations,
          [&app, noun](const http::HttpRequest&, const http::RouteParams& params,
                       const Principal& who) {
            auto item = VisibleItem<T>(app, who, params.at("id"), Permission::kReadConversations);
            if (!item.ok()) return ErrorFor(item.error());
            if (!item->has_value()) return NotFound(noun);
            return ApiJson(200, C::View(**item));
          });

  // A whole replacement. With "version" (keyword tables), a change made since it was read is a
  // 409 rather than lost.
  api.Add(
      "PUT", "/api/v1/" + collection + "/{id}", Permission::kManageContent,
      [&app, noun, audit](const http::HttpRequest& request, const http::RouteParams& params,
                          const Principal& who) {
        auto body = JsonBody(request, C::Fields());
        if (!body.ok()) return ErrorFor(body.error());
        auto existing = VisibleItem<T>(app, who, params.at("id"), Permission::kManageContent);
        if (!existing.ok()) return ErrorFor(existing.error());
        if (!existing->has_value()) return NotFound(noun);
        std::optional<std::int64_t> seen;
        if (body->contains("version")) {
          if (!(*body)["version"].is_number_integer()) {
            return http::ErrorResponse(400, "invalid_argument",
                                       "version: the version as you read it");
          }
          seen = (*body)["version"].template get<std::int64_t>();
        }
        auto parsed = C::Parse(*body);
        if (!parsed.ok()) return ErrorFor(parsed.error());
        T item = std::move(parsed).value();
        item.id = (*existing)->id;
        item.workspace_id = (*existing)->workspace_id;
        auto saved = Save<T>(
            app, item.workspace_id, [&](std::vector<T>& stored, storage::WriteBatch& batch) {
              T* current = nullptr;
              for (T& other : stored) {
                if (other.id == item.id) {
                  current = &other;
                } else if (C::SameName(other, item)) {
                  return core::Status(core::MakeError(core::ErrorCode::kAlreadyExists,
                                                      C::Named(other) + " exists"));
                }
              }
              if (current == nullptr) {
                return core::Status(core::MakeError(core::ErrorCode::kNotFound, "no such " + noun));
              }
              if constexpr (requires { item.version; }) {
                if (seen && *seen != current->version) {
                  return core::Status(core::MakeError(
                      core::ErrorCode::kConflict,
                      "changed since you read it (version " + std::to_string(*seen) + ", now " +
                          std::to_string(current->version) + "): read it again"));
                }
                item.version = current->version + 1;
              }
              *current = item;
              batch.Put(item);
              return core::Ok();
            });
        return Saved<T>(app, who, saved, item, audit, ".changed", 200);
      });

  api.Add("DELETE", "/api/v1/" + collection + "/{id}", Permission::kManageContent,
          [&app, noun, audit](const http::HttpRequest&, const http::RouteParams& params,
                              const Principal& who) {
            auto existing = VisibleItem<T>(app, who, params.at("id"), Permission::kManageContent);
            if (!existing.ok()) return ErrorFor(existing.error());
            if (!existing->has_value()) return NotFound(noun);
            const auto id = (*existing)->id;
            auto saved = Save<T>(app, (*existing)->workspace_id,
                                 [&](std::vector<T>& stored, storage::WriteBatch& batch) {
                                   std::erase_if(stored, [&](const T& t) { return t.id == id; });
                                   batch.Delete(storage::EntityTraits<T>::kKind, id.value());
                                   return core::Ok();
                                 });
            if (!saved.ok()) return ErrorFor(saved.error());
            Audit(app, who, (*existing)->workspace_id, audit + ".deleted", audit, id.ToString());
            http::HttpResponse gone;
            gone.status = 204;
            gone.content_type.clear();
            return gone;
          });
}

// The first word of a name ("Jane Doe" -> "Jane").
std::string FirstName(const std::string& name) { return name.substr(0, name.find(' ')); }

// What a canned response's variables can say about a conversation and the one answering it.
core::Result<std::map<std::string, std::string>> ConversationValues(
    Application& app, const Principal& who, const domain::Conversation& conversation) {
  std::map<std::string, std::string> values;
  values["conversation.id"] = conversation.id.ToString();
  PARLEY_ASSIGN_OR_RETURN(auto workspace,
                          storage::Get<domain::Workspace>(app.store(), conversation.workspace_id));
  if (workspace) values["brand.name"] = workspace->name;
  PARLEY_ASSIGN_OR_RETURN(auto customer,
                          storage::Get<domain::Customer>(app.store(), conversation.customer_id));
  if (customer) {
    std::string name = customer->display_name;
    std::string handle;
    for (const auto& identity : customer->identities) {
      if (name.empty()) name = identity.display_name;
      if (handle.empty()) handle = identity.handle;
    }
    if (!name.empty()) {
      values["customer.name"] = name;
      values["customer.first_name"] = FirstName(name);
    }
    if (!handle.empty()) values["customer.handle"] = handle;
  }
  PARLEY_ASSIGN_OR_RETURN(auto agent_id, AgentOfUser(app, who.user, conversation.workspace_id));
  std::string agent_name = who.user.display_name;
  std::string initials;
  if (agent_id) {
    PARLEY_ASSIGN_OR_RETURN(auto agent, storage::Get<domain::Agent>(app.store(), *agent_id));
    if (agent) {
      agent_name = agent->display_name;
      initials = agent->initials;
    }
  }
  if (!agent_name.empty()) {
    values["agent.name"] = agent_name;
    values["agent.first_name"] = FirstName(agent_name);
  }
  if (initials.empty()) {
    for (std::size_t at = 0; at < agent_name.size(); at = agent_name.find(' ', at)) {
      while (at < agent_name.size() && agent_name[at] == ' ') ++at;
      if (at < agent_name.size()) initials += agent_name[at];
    }
  }
  if (!initials.empty()) values["agent.initials"] = initials;
  return values;
}

json NoteView(const domain::Note& note) { return json(note); }

}  // namespace

void AddContentRoutes(Api& api, Application& app) {
  AddContentCollection<domain::KeywordTable>(api, app);
  AddContentCollection<domain::Rule>(api, app);
  AddContentCollection<domain::CannedResponse>(api, app);

  // A canned response filled in for a conversation: what the agent would send. Values given in
  // the body win over what the conversation says; a variable with no value is a 422 naming all.
  api.Add("POST", "/api/v1/canned-responses/{id}/render", Permission::kReply,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {"conversation_id", "values"});
            if (!body.ok()) return ErrorFor(body.error());
            auto response =
                VisibleItem<domain::CannedResponse>(app, who, params.at("id"), Permission::kReply);
            if (!response.ok()) return ErrorFor(response.error());
            if (!response->has_value()) return NotFound("canned response");
            std::map<std::string, std::string> values;
            if (body->contains("conversation_id")) {
              if (!(*body)["conversation_id"].is_string()) {
                return http::ErrorResponse(400, "invalid_argument",
                                           "conversation_id: expected a string");
              }
              auto conversation = VisibleConversation(
                  app, who, (*body)["conversation_id"].get<std::string>(), Permission::kReply);
              if (!conversation.ok()) return ErrorFor(conversation.error());
              if (!conversation->has_value() ||
                  (*conversation)->workspace_id != (*response)->workspace_id) {
                return NotFound("conversation");
              }
              auto known = ConversationValues(app, who, **conversation);
              if (!known.ok()) return ErrorFor(known.error());
              values = std::move(known).value();
            }
            if (body->contains("values")) {
              const json& given = (*body)["values"];
              if (!given.is_object()) {
                return http::ErrorResponse(400, "invalid_argument",
                                           "values: an object of variable names to strings");
              }
              for (const auto& [name, value] : given.items()) {
                if (!value.is_string()) {
                  return http::ErrorResponse(400, "invalid_argument",
                                             "values." + name + ": expected a string");
                }
                values[name] = value.get<std::string>();
              }
            }
            auto text = domain::RenderTemplate((*response)->text, values);
            if (!text.ok()) {
              return http::ErrorResponse(422, "failed_precondition", text.error().message);
            }
            return ApiJson(200, {{"text", *text}});
          });

  // Internal notes, and logs of contact elsewhere (a phone call, a store visit): never sent.
  api.Add("GET", "/api/v1/conversations/{id}/notes", Permission::kReadConversations,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto conversation =
                VisibleConversation(app, who, params.at("id"), Permission::kReadConversations);
            if (!conversation.ok()) return ErrorFor(conversation.error());
            if (!conversation->has_value()) return NotFound("conversation");
            return ChildrenResponse<domain::Note>(app.store(), (*conversation)->id.value(), 1000,
                                                  storage::Store::Order::kOldestFirst, NoteView);
          });

  api.Add("POST", "/api/v1/conversations/{id}/notes", Permission::kReply,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {"text", "kind"});
            if (!body.ok()) return ErrorFor(body.error());
            domain::Note note;
            if (auto read = ReadString(*body, "text", note.text); !read.ok()) {
              return ErrorFor(read.error());
            }
            if (auto read = ReadString(*body, "kind", note.kind); !read.ok()) {
              return ErrorFor(read.error());
            }
            if (note.text.empty()) {
              return http::ErrorResponse(400, "invalid_argument", "text is required");
            }
            if (note.text.size() > 20000) {
              return http::ErrorResponse(400, "invalid_argument",
                                         "text: at most 20,000 bytes in one note");
            }
            if (note.kind.empty()) note.kind = "note";
            static const std::set<std::string> kKinds = {"note", "phone_call", "store_visit",
                                                         "email_elsewhere", "other"};
            if (!kKinds.contains(note.kind)) {
              return http::ErrorResponse(
                  400, "invalid_argument",
                  "kind: note, phone_call, store_visit, email_elsewhere or other");
            }
            auto conversation = VisibleConversation(app, who, params.at("id"), Permission::kReply);
            if (!conversation.ok()) return ErrorFor(conversation.error());
            if (!conversation->has_value()) return NotFound("conversation");
            auto agent = AgentOfUser(app, who.user, (*conversation)->workspace_id);
            if (!agent.ok()) return ErrorFor(agent.error());
            note.id = app.ids().NextId<domain::NoteId>();
            note.workspace_id = (*conversation)->workspace_id;
            note.conversation_id = (*conversation)->id;
            note.author_id = agent->value_or(domain::AgentId());
            note.created_at = app.clock().Now();
            if (auto stored = app.store().Apply(storage::WriteBatch().Put(note)); !stored.ok()) {
              return ErrorFor(stored.error());
            }
            Audit(app, who, note.workspace_id, "note.created", "conversation",
                  note.conversation_id.ToString());
            json view = NoteView(note);
            app.events().Publish("conversation.note", note.workspace_id, (*conversation)->team_id,
                                 view);
            return ApiJson(201, view);
          });

  // Tags on a conversation, added and removed by people (triage adds its own on the way in).
  api.Add("POST", "/api/v1/conversations/{id}/tags", Permission::kReply,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {"add", "remove"});
            if (!body.ok()) return ErrorFor(body.error());
            engine::RoutingCommand command;
            command.kind = engine::RoutingCommand::Kind::kTag;
            for (const auto& [key, out] :
                 {std::pair{"add", &command.add_tags}, std::pair{"remove", &command.remove_tags}}) {
              if (auto read = ReadStrings(*body, key, *out); !read.ok()) {
                return ErrorFor(read.error());
              }
              for (const std::string& tag : *out) {
                const bool printable = std::all_of(tag.begin(), tag.end(), [](char c) {
                  return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
                });
                if (tag.empty() || tag.size() > 64 || !printable) {
                  return http::ErrorResponse(
                      400, "invalid_argument",
                      std::string(key) + ": each tag is 1 to 64 printable characters");
                }
              }
            }
            if (command.add_tags.empty() && command.remove_tags.empty()) {
              return http::ErrorResponse(400, "invalid_argument", "name tags to add or to remove");
            }
            auto conversation = VisibleConversation(app, who, params.at("id"), Permission::kReply);
            if (!conversation.ok()) return ErrorFor(conversation.error());
            if (!conversation->has_value()) return NotFound("conversation");
            if ((*conversation)->tags.size() + command.add_tags.size() > 100) {
              return http::ErrorResponse(422, "failed_precondition",
                                         "a conversation holds at most 100 tags");
            }
            command.conversation = (*conversation)->id;
            if (auto done = RouteNow(app, (*conversation)->workspace_id, std::move(command));
                !done.ok()) {
              return ErrorFor(done.error());
            }
            auto now = storage::Get<domain::Conversation>(app.store(), (*conversation)->id);
            if (!now.ok()) return ErrorFor(now.error());
            if (!now->has_value()) return NotFound("conversation");
            app.events().Publish("conversation.tagged", (*now)->workspace_id, (*now)->team_id,
                                 {{"conversation_id", (*now)->id.ToString()},
                                  {"tags", (*now)->tags},
                                  {"by", who.user.id.ToString()}});
            return ApiJson(200, {{"conversation", json(**now)}});
          });

  // The codes an agent picks from when resolving.
  api.Add("GET", "/api/v1/workspaces/{id}/resolution-codes", Permission::kReadConversations,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto workspace =
                VisibleWorkspace(app, who, params.at("id"), Permission::kReadConversations);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (!workspace->has_value()) return NotFound("workspace");
            return ApiJson(200, {{"items", (*workspace)->resolution_codes}});
          });

  api.Add("PUT", "/api/v1/workspaces/{id}/resolution-codes", Permission::kManageOrganisation,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {"items"});
            if (!body.ok()) return ErrorFor(body.error());
            std::vector<std::string> codes;
            if (!body->contains("items")) {
              return http::ErrorResponse(400, "invalid_argument", "items is required");
            }
            if (auto read = ReadStrings(*body, "items", codes); !read.ok()) {
              return ErrorFor(read.error());
            }
            static const std::regex kCode("[a-z0-9_\\-]{1,40}");
            for (const std::string& code : codes) {
              if (!std::regex_match(code, kCode)) {
                return http::ErrorResponse(
                    400, "invalid_argument",
                    "items: each code is 1 to 40 of a-z, 0-9, '_' and '-' (\"" + code + "\")");
              }
            }
            std::sort(codes.begin(), codes.end());
            if (std::adjacent_find(codes.begin(), codes.end()) != codes.end()) {
              return http::ErrorResponse(400, "invalid_argument", "items: a code is named twice");
            }
            static std::mutex changing;
            std::lock_guard lock(changing);
            auto workspace =
                VisibleWorkspace(app, who, params.at("id"), Permission::kManageOrganisation);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (!workspace->has_value()) return NotFound("workspace");
            domain::Workspace changed = **workspace;
            changed.resolution_codes = codes;
            if (auto stored = app.store().Apply(storage::WriteBatch().Put(changed)); !stored.ok()) {
              return ErrorFor(stored.error());
            }
            Audit(app, who, changed.id, "resolution_codes.changed", "workspace",
                  changed.id.ToString());
            return ApiJson(200, {{"items", codes}});
          });

  // One message, with the conversation it belongs to checked for the caller.
  api.Add("GET", "/api/v1/messages/{id}", Permission::kReadConversations,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto message = VisibleMessage(app, who, params.at("id"));
            if (!message.ok()) return ErrorFor(message.error());
            if (!message->has_value()) return NotFound("message");
            return ApiJson(200, json(**message));
          });

  // An email's attachment, read from the raw message the inbox keeps.
  api.Add("GET", "/api/v1/messages/{id}/attachments/{index}", Permission::kReadConversations,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto message = VisibleMessage(app, who, params.at("id"));
            if (!message.ok()) return ErrorFor(message.error());
            if (!message->has_value()) return NotFound("message");
            const domain::Message& m = **message;
            const std::string& text = params.at("index");
            std::size_t index = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
            if (ec != std::errc() || end != text.data() + text.size() ||
                index >= m.attachments.size()) {
              return NotFound("attachment");
            }
            if (m.channel != domain::ChannelKind::kEmail || !m.raw_payload_id) {
              return http::ErrorResponse(
                  404, "not_found",
                  "this attachment is held by the platform: " + m.attachments[index].url);
            }
            auto raw = app.inbox().Get(m.raw_payload_id);
            if (!raw.ok()) return ErrorFor(raw.error());
            if (!raw->has_value()) return NotFound("the stored email");
            auto content = channels::email::EmailAttachment((*raw)->body, index);
            if (!content.ok()) return ErrorFor(content.error());
            return AttachmentResponse(*content);
          });

  // Customers: one person across channels, with every conversation they had.
  api.Add("GET", "/api/v1/workspaces/{id}/customers", Permission::kReadConversations,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto workspace =
                VisibleWorkspace(app, who, params.at("id"), Permission::kReadConversations);
            if (!workspace.ok()) return ErrorFor(workspace.error());
            if (!workspace->has_value()) return NotFound("workspace");
            std::int64_t after = 0;
            if (auto text = request.Query("after")) {
              auto value = core::ParseIdValue(*text);
              if (!value) return http::ErrorResponse(400, "invalid_argument", "after: an id");
              after = *value;
            }
            int limit = 50;
            if (auto text = request.Query("limit")) {
              auto value = core::ParseIdValue(*text);
              if (!value || *value > 500) {
                return http::ErrorResponse(400, "invalid_argument", "limit: 1 to 500");
              }
              limit = static_cast<int>(*value);
            }
            auto documents = app.store().ListDocuments(storage::EntityKind::kCustomer,
                                                       (*workspace)->id, after, limit);
            if (!documents.ok()) return ErrorFor(documents.error());
            auto customers = storage::DecodeAll<domain::Customer>(*documents);
            if (!customers.ok()) return ErrorFor(customers.error());
            json items = json::array();
            for (const auto& customer : *customers) items.push_back(json(customer));
            const bool more = std::ssize(*customers) == limit;
            return ApiJson(200, {{"items", items},
                                 {"next_after",
                                  more ? json(customers->back().id.ToString()) : json(nullptr)}});
          });

  api.Add("GET", "/api/v1/customers/{id}", Permission::kReadConversations,
          [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
            auto customer = VisibleItem<domain::Customer>(app, who, params.at("id"),
                                                          Permission::kReadConversations);
            if (!customer.ok()) return ErrorFor(customer.error());
            if (!customer->has_value()) return NotFound("customer");
            // Their history, newest first; a team-restricted user sees their teams' part of it.
            storage::ConversationQuery query;
            query.workspace_id = (*customer)->workspace_id;
            query.customer_id = (*customer)->id;
            query.sort = storage::ConversationSort::kRecent;
            query.limit = 100;
            auto page = app.store().QueryConversations(query);
            if (!page.ok()) return ErrorFor(page.error());
            auto conversations = storage::DecodeAll<domain::Conversation>(page->documents);
            if (!conversations.ok()) return ErrorFor(conversations.error());
            json history = json::array();
            // The team's notes on them: those of their ten latest conversations, newest first.
            std::vector<domain::Note> notes;
            int with_notes = 0;
            for (const auto& conversation : *conversations) {
              if (!auth::Authorize(who.user, Permission::kReadConversations,
                                   {conversation.workspace_id, {}, conversation.team_id})
                       .ok()) {
                continue;
              }
              if (with_notes++ < 10) {
                auto kept = app.store().ListByParent(storage::EntityTraits<domain::Note>::kKind,
                                                     conversation.id.value(), 20,
                                                     storage::Store::Order::kNewestFirst);
                if (!kept.ok()) return ErrorFor(kept.error());
                auto decoded = storage::DecodeAll<domain::Note>(*kept);
                if (!decoded.ok()) return ErrorFor(decoded.error());
                for (auto& note : *decoded) notes.push_back(std::move(note));
              }
              history.push_back({{"id", conversation.id.ToString()},
                                 {"status", domain::ToString(conversation.status)},
                                 {"team_id", conversation.team_id},
                                 {"assignee_id", conversation.assignee_id},
                                 {"priority", conversation.priority},
                                 {"tier", domain::ToString(conversation.tier)},
                                 {"category", conversation.category},
                                 {"sentiment", conversation.sentiment},
                                 {"tags", conversation.tags},
                                 {"channels", conversation.channels},
                                 {"resolution_code", conversation.resolution_code},
                                 {"opened_at", conversation.opened_at},
                                 {"updated_at", conversation.updated_at}});
            }
            std::sort(notes.begin(), notes.end(),
                      [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
            if (notes.size() > 20) notes.resize(20);
            json note_items = json::array();
            for (const auto& note : notes) note_items.push_back(NoteView(note));
            return ApiJson(200, {{"customer", json(**customer)},
                                 {"conversations", history},
                                 {"notes", note_items},
                                 {"more", !page->next_cursor.empty()}});
          });

  // Link: the customer named in the body is the same person as this one, and is merged into it
  // (identities, conversations, facts). Unlink: one identity is someone else, and becomes a
  // customer of its own (the history stays).
  api.Add("POST", "/api/v1/customers/{id}/link", Permission::kReply,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {"customer_id"});
            if (!body.ok()) return ErrorFor(body.error());
            if (!(*body)["customer_id"].is_string()) {
              return http::ErrorResponse(400, "invalid_argument",
                                         "customer_id: the customer to merge into this one");
            }
            auto customer =
                VisibleItem<domain::Customer>(app, who, params.at("id"), Permission::kReply);
            if (!customer.ok()) return ErrorFor(customer.error());
            if (!customer->has_value()) return NotFound("customer");
            auto other = VisibleItem<domain::Customer>(
                app, who, (*body)["customer_id"].get<std::string>(), Permission::kReply);
            if (!other.ok()) return ErrorFor(other.error());
            if (!other->has_value() || (*other)->workspace_id != (*customer)->workspace_id) {
              return NotFound("customer to link");
            }
            engine::RoutingCommand command;
            command.kind = engine::RoutingCommand::Kind::kLinkCustomers;
            command.customer = (*customer)->id;
            command.other_customer = (*other)->id;
            if (auto done = RouteNow(app, (*customer)->workspace_id, std::move(command));
                !done.ok()) {
              return ErrorFor(done.error());
            }
            Audit(app, who, (*customer)->workspace_id, "customer.linked", "customer",
                  (*customer)->id.ToString());
            auto now = storage::Get<domain::Customer>(app.store(), (*customer)->id);
            if (!now.ok()) return ErrorFor(now.error());
            if (!now->has_value()) return NotFound("customer");
            return ApiJson(200, {{"customer", json(**now)}});
          });

  api.Add("POST", "/api/v1/customers/{id}/unlink", Permission::kReply,
          [&app](const http::HttpRequest& request, const http::RouteParams& params,
                 const Principal& who) {
            auto body = JsonBody(request, {"channel", "platform_user_id"});
            if (!body.ok()) return ErrorFor(body.error());
            engine::RoutingCommand command;
            command.kind = engine::RoutingCommand::Kind::kUnlinkIdentity;
            std::string channel;
            if (auto read = ReadString(*body, "channel", channel); !read.ok()) {
              return ErrorFor(read.error());
            }
            if (auto read = ReadString(*body, "platform_user_id", command.platform_user_id);
                !read.ok()) {
              return ErrorFor(read.error());
            }
            const auto kind = domain::ParseEnum<domain::ChannelKind>(channel);
            if (!kind || command.platform_user_id.empty()) {
              return http::ErrorResponse(
                  400, "invalid_argument",
                  "channel and platform_user_id: the identity to split off, as listed");
            }
            command.channel = *kind;
            auto customer =
                VisibleItem<domain::Customer>(app, who, params.at("id"), Permission::kReply);
            if (!customer.ok()) return ErrorFor(customer.error());
            if (!customer->has_value()) return NotFound("customer");
            command.customer = (*customer)->id;
            auto done = RouteNow(app, (*customer)->workspace_id, std::move(command));
            if (!done.ok()) return ErrorFor(done.error());
            Audit(app, who, (*customer)->workspace_id, "customer.unlinked", "customer",
                  (*customer)->id.ToString());
            auto now = storage::Get<domain::Customer>(app.store(), (*customer)->id);
            auto split = storage::Get<domain::Customer>(app.store(), done->customer_id);
            if (!now.ok()) return ErrorFor(now.error());
            if (!split.ok()) return ErrorFor(split.error());
            if (!now->has_value() || !split->has_value()) return NotFound("customer");
            return ApiJson(200, {{"customer", json(**now)}, {"split", json(**split)}});
          });

  // "Test this rule" (C2.6): one message, in the form of a `parley triage` input line, through
  // the workspace's triage as stored, with a draft rule in place of the stored one of its id (or
  // added). The same engine as the server and the command; nothing is stored or remembered.
  api.Add(
      "POST", "/api/v1/workspaces/{id}/rules/test", Permission::kManageContent,
      [&app](const http::HttpRequest& request, const http::RouteParams& params,
             const Principal& who) {
        auto body = JsonBody(request, {"message", "rule"});
        if (!body.ok()) return ErrorFor(body.error());
        auto workspace = VisibleWorkspace(app, who, params.at("id"), Permission::kManageContent);
        if (!workspace.ok()) return ErrorFor(workspace.error());
        if (!workspace->has_value()) return NotFound("workspace");
        if (!body->contains("message")) {
          return ErrorFor(Invalid("message: required, as a line of parley triage's input"));
        }
        auto input = triage::ParseTriageInput(body->at("message").dump());
        if (!input.ok()) return ErrorFor(Invalid("message: " + input.error().message));
        std::optional<domain::Rule> draft;
        if (body->contains("rule")) {
          auto rule = Content<domain::Rule>::Parse(body->at("rule"));
          if (!rule.ok()) return ErrorFor(rule.error());
          draft = std::move(rule).value();
          draft->workspace_id = (*workspace)->id;
          if (const json& given = body->at("rule"); given.contains("id")) {
            const auto id = given.at("id").is_string()
                                ? core::ParseId<domain::RuleId>(given.at("id").get<std::string>())
                                : std::nullopt;
            if (!id) return ErrorFor(Invalid("rule.id: not a rule id"));
            draft->id = *id;
          }
        }
        auto result = app.TestTriage((*workspace)->id, *input, draft);
        if (!result.ok()) return ErrorFor(result.error());
        json actions = json::array();
        bool fired = false;
        for (const auto& taken : result->actions) {
          fired = fired || (draft && taken.rule == draft->name);
          actions.push_back({{"rule", taken.rule},
                             {"action", domain::ToString(taken.kind)},
                             {"argument", taken.argument}});
        }
        json hits = json::array();
        for (const auto& hit : result->keyword_hits) {
          hits.push_back({{"table", hit.table}, {"pattern", hit.pattern}});
        }
        json out{{"triage", json::parse(triage::ToJsonLine(*result))},
                 {"keyword_hits", hits},
                 {"filters", result->filters},
                 {"category", result->category},
                 {"team", result->team},
                 {"actions", actions}};
        if (draft) out["fired"] = fired;
        return ApiJson(200, out);
      });

  // The organisation, read-only here: teams, agents, SLA policies and calendars are written as
  // one routing document (PUT /api/v1/workspaces/{id}/routing).
  const auto add_list = [&api, &app]<typename T>(const std::string& collection) {
    api.Add(
        "GET", "/api/v1/workspaces/{id}/" + collection, Permission::kReadConversations,
        [&app](const http::HttpRequest&, const http::RouteParams& params, const Principal& who) {
          auto workspace =
              VisibleWorkspace(app, who, params.at("id"), Permission::kReadConversations);
          if (!workspace.ok()) return ErrorFor(workspace.error());
          if (!workspace->has_value()) return NotFound("workspace");
          auto items = storage::ListAll<T>(app.store(), (*workspace)->id);
          if (!items.ok()) return ErrorFor(items.error());
          json out = *items;
          if constexpr (std::is_same_v<T, domain::Agent>) {
            // Presence as the router has it now (the chosen status and the live connection
            // together), whether they are on shift, and their load: what a supervisor watches.
            engine::RoutingCommand ask;
            ask.kind = engine::RoutingCommand::Kind::kAgentsNow;
            if (auto now = RouteNow(app, (*workspace)->id, std::move(ask)); now.ok()) {
              for (json& agent : out) {
                for (const auto& state : now->agents) {
                  if (agent.value("id", std::string()) != state.agent.ToString()) continue;
                  agent["status"] = domain::ToString(state.status);
                  agent["presence"] = domain::ToString(state.presence);
                  agent["on_shift"] = state.on_shift;
                  agent["load"] = state.load;
                  agent["connected"] = state.connections > 0;
                }
              }
            }
          }
          return ApiJson(200, {{"items", out}});
        });
  };
  add_list.operator()<domain::Team>("teams");
  add_list.operator()<domain::Agent>("agents");
  add_list.operator()<domain::SlaPolicy>("sla-policies");
  add_list.operator()<domain::BusinessCalendar>("calendars");
}

}  // namespace parley::app
