// A workspace's triage set-up in the running server: its keyword tables and rules are stored
// (C2.1, C2.6) and edited over the API; the workspace's configuration file gives the rest (key
// customers, business hours, thresholds) and seeds the tables and rules it names. Every edit is
// compiled before it is stored, so what is stored always compiles, and the workspace's triager
// uses it from the next message on.
#include <algorithm>

#include "parley/app/application.h"
#include "parley/telemetry/log.h"
#include "parley/triage/triage.h"

namespace parley::app {
namespace {

// The workspace's configuration: its settings, with its stored tables and rules.
triage::TriageConfig Assemble(triage::TriageConfig settings,
                              std::vector<domain::KeywordTable> tables,
                              std::vector<domain::Rule> rules) {
  settings.keyword_tables = std::move(tables);
  settings.rules = std::move(rules);
  return settings;
}

// Puts what the file names, keeping the id (and bumping the version) of what is stored by the
// same name; what only the API created is left as it is.
template <typename T>
void Seed(storage::WriteBatch& batch, core::IdGenerator& ids, std::vector<T>& stored,
          std::vector<T> declared, domain::WorkspaceId workspace, auto same) {
  for (T& item : declared) {
    item.workspace_id = workspace;
    auto found = std::find_if(stored.begin(), stored.end(),
                              [&](const T& existing) { return same(existing, item); });
    if (found == stored.end()) {
      item.id = ids.NextId<typename storage::EntityTraits<T>::Id>();
      batch.Put(item);
      stored.push_back(std::move(item));
      continue;
    }
    item.id = found->id;
    if constexpr (requires { item.version; }) item.version = found->version;
    if (item == *found) continue;
    if constexpr (requires { item.version; }) item.version += 1;
    batch.Put(item);
    *found = std::move(item);
  }
}

bool SameKeywordTable(const domain::KeywordTable& a, const domain::KeywordTable& b) {
  return a.name == b.name && a.language == b.language;
}

}  // namespace

core::Status Application::DeclareTriage() {
  auto stored_workspaces = storage::ListAll<domain::Workspace>(*store_, domain::WorkspaceId());
  PARLEY_TRY(stored_workspaces);
  for (const auto& workspace : *stored_workspaces) {
    const auto declared = std::find_if(config_.workspaces.begin(), config_.workspaces.end(),
                                       [&](const auto& w) { return w.slug == workspace.slug; });
    const std::string file = declared == config_.workspaces.end() ? "" : declared->triage;
    const std::string where = "workspaces." + workspace.slug + ".triage";
    triage::TriageConfig settings;
    if (!file.empty()) {
      auto loaded = triage::LoadTriageConfig(file);
      if (!loaded.ok()) {
        return core::MakeError(core::ErrorCode::kInvalidArgument,
                               where + ": " + loaded.error().message);
      }
      settings = std::move(loaded).value();
    }
    for (const std::string& handle : workspace.brand_handles) {
      settings.brand_handles.push_back(handle);
    }
    PARLEY_ASSIGN_OR_RETURN(auto tables,
                            storage::ListAll<domain::KeywordTable>(*store_, workspace.id));
    PARLEY_ASSIGN_OR_RETURN(auto rules, storage::ListAll<domain::Rule>(*store_, workspace.id));
    storage::WriteBatch batch;
    Seed(batch, ids_, tables, std::move(settings.keyword_tables), workspace.id, SameKeywordTable);
    Seed(batch, ids_, rules, std::move(settings.rules), workspace.id,
         [](const domain::Rule& a, const domain::Rule& b) { return a.name == b.name; });
    settings.keyword_tables.clear();
    settings.rules.clear();
    const bool own =
        !file.empty() || !workspace.brand_handles.empty() || !tables.empty() || !rules.empty();
    if (own) {
      auto triager = triage::Triager::Create(Assemble(settings, tables, rules), clock_);
      if (!triager.ok()) {
        return core::MakeError(core::ErrorCode::kInvalidArgument,
                               where + ": " + triager.error().message);
      }
      processor_->SetTriager(workspace.id, std::move(triager).value());
    }
    if (!batch.empty()) PARLEY_TRY(store_->Apply(batch));
    std::lock_guard lock(triage_mutex_);
    triage_settings_[workspace.id] = std::move(settings);
  }
  return core::Ok();
}

core::Status Application::EditTriage(domain::WorkspaceId workspace, const TriageEdit& edit) {
  std::lock_guard lock(triage_mutex_);
  PARLEY_ASSIGN_OR_RETURN(auto tables, storage::ListAll<domain::KeywordTable>(*store_, workspace));
  PARLEY_ASSIGN_OR_RETURN(auto rules, storage::ListAll<domain::Rule>(*store_, workspace));
  const auto settings = triage_settings_.find(workspace);
  const triage::TriageConfig base =
      settings == triage_settings_.end() ? triage::TriageConfig{} : settings->second;
  auto edited_tables = tables;
  auto edited_rules = rules;
  storage::WriteBatch batch;
  PARLEY_TRY(edit(edited_tables, edited_rules, batch));
  // Compiled (and swapped in) first: a bad pattern or a rule naming a table that is gone changes
  // nothing.
  if (auto compiled =
          processor_->Reconfigure(workspace, Assemble(base, edited_tables, edited_rules));
      !compiled.ok()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, compiled.error().message);
  }
  if (auto stored = store_->Apply(batch); !stored.ok()) {
    // What runs is what is stored: put the previous configuration back.
    if (auto back = processor_->Reconfigure(workspace, Assemble(base, tables, rules)); !back.ok()) {
      telemetry::LogError("triage.restore_failed",
                          {{"workspace", workspace.value()}, {"error", back.error().message}});
    }
    return stored;
  }
  return core::Ok();
}

core::Result<triage::TriageResult> Application::TestTriage(
    domain::WorkspaceId workspace, const triage::TriageInput& input,
    const std::optional<domain::Rule>& draft) {
  triage::TriageConfig config;
  {
    std::lock_guard lock(triage_mutex_);
    PARLEY_ASSIGN_OR_RETURN(auto tables,
                            storage::ListAll<domain::KeywordTable>(*store_, workspace));
    PARLEY_ASSIGN_OR_RETURN(auto rules, storage::ListAll<domain::Rule>(*store_, workspace));
    if (draft) {
      auto same = std::find_if(rules.begin(), rules.end(), [&](const domain::Rule& rule) {
        return draft->id.valid() ? rule.id == draft->id : rule.name == draft->name;
      });
      if (same == rules.end()) {
        rules.push_back(*draft);
      } else {
        *same = *draft;
      }
    }
    const auto settings = triage_settings_.find(workspace);
    config =
        Assemble(settings == triage_settings_.end() ? triage::TriageConfig{} : settings->second,
                 std::move(tables), std::move(rules));
  }
  auto triager = triage::Triager::Create(std::move(config), clock_);
  if (!triager.ok()) {
    return core::MakeError(core::ErrorCode::kInvalidArgument, triager.error().message);
  }
  return (*triager)->Triage(input);  // the result keeps the configuration its hits point into
}

}  // namespace parley::app
