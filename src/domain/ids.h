// The typed ids of the domain.
#pragma once

#include "parley/core/id.h"

namespace parley::domain {

using WorkspaceId = core::Id<struct WorkspaceTag>;
using ChannelAccountId = core::Id<struct ChannelAccountTag>;
using CustomerId = core::Id<struct CustomerTag>;
using MessageId = core::Id<struct MessageTag>;
using ConversationId = core::Id<struct ConversationTag>;
using AgentId = core::Id<struct AgentTag>;
using TeamId = core::Id<struct TeamTag>;
using KeywordTableId = core::Id<struct KeywordTableTag>;
using RuleId = core::Id<struct RuleTag>;
using CannedResponseId = core::Id<struct CannedResponseTag>;
using SlaPolicyId = core::Id<struct SlaPolicyTag>;
using CalendarId = core::Id<struct CalendarTag>;
using SurveyResponseId = core::Id<struct SurveyResponseTag>;
using NoteId = core::Id<struct NoteTag>;
using InteractionId = core::Id<struct InteractionTag>;
using RawPayloadId = core::Id<struct RawPayloadTag>;
using OutboxId = core::Id<struct OutboxTag>;
using UserId = core::Id<struct UserTag>;
using SessionId = core::Id<struct SessionTag>;
using ApiTokenId = core::Id<struct ApiTokenTag>;
using WebhookId = core::Id<struct WebhookTag>;
using WebhookDeliveryId = core::Id<struct WebhookDeliveryTag>;

using core::Duration;
using core::Timestamp;

}  // namespace parley::domain
