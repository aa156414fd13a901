#include "parley/domain/lifecycle.h"

#include <algorithm>

namespace parley::domain {
namespace {

using CS = ConversationStatus;
constexpr StatusTransition<CS> kConversationTransitions[] = {
    {CS::kQueued, CS::kAssigned},             // routed, pulled or taken
    {CS::kQueued, CS::kResolved},             // answered by automation or from the queue
    {CS::kQueued, CS::kClosed},               // noise, spam
    {CS::kAssigned, CS::kQueued},             // unassigned, reassignment timeout, agent gone
    {CS::kAssigned, CS::kWaitingOnCustomer},  // agent replied
    {CS::kAssigned, CS::kResolved},
    {CS::kAssigned, CS::kClosed},
    {CS::kWaitingOnCustomer, CS::kAssigned},  // customer wrote back, assignee kept
    {CS::kWaitingOnCustomer, CS::kQueued},    // customer wrote back, assignee gone
    {CS::kWaitingOnCustomer, CS::kResolved},
    {CS::kWaitingOnCustomer, CS::kClosed},
    {CS::kResolved, CS::kQueued},    // reopened by the customer
    {CS::kResolved, CS::kAssigned},  // reopened, sticky to the last agent
    {CS::kResolved, CS::kClosed},    // past the reopen window
};

using DS = DeliveryStatus;
constexpr StatusTransition<DS> kDeliveryTransitions[] = {
    {DS::kDraft, DS::kPendingApproval},
    {DS::kDraft, DS::kQueued},
    {DS::kPendingApproval, DS::kQueued},  // approved (possibly edited)
    {DS::kPendingApproval, DS::kRejected},
    {DS::kPendingApproval, DS::kDraft},  // sent back
    {DS::kQueued, DS::kSent},
    {DS::kQueued, DS::kFailed},
    {DS::kQueued, DS::kUnconfirmed},  // the server stopped mid-request
    {DS::kUnconfirmed, DS::kSent},    // the platform's echo shows it arrived
    {DS::kUnconfirmed, DS::kDelivered},
    {DS::kUnconfirmed, DS::kRead},
    {DS::kUnconfirmed, DS::kFailed},  // an agent checked: it did not arrive
    {DS::kUnconfirmed, DS::kQueued},  // an agent checked and sends it again
    {DS::kSent, DS::kDelivered},
    {DS::kSent, DS::kRead},
    {DS::kSent, DS::kFailed},  // asynchronous failure status (WhatsApp)
    {DS::kDelivered, DS::kRead},
    {DS::kDelivered, DS::kFailed},
    {DS::kFailed, DS::kQueued},  // retried by an agent after fixing the cause
};

using PS = PayloadState;
constexpr StatusTransition<PS> kPayloadTransitions[] = {
    {PS::kPending, PS::kProcessed},
    {PS::kPending, PS::kDeadLetter},
    {PS::kDeadLetter, PS::kPending},  // replayed by an admin after a fix
};

template <typename Status, std::size_t N>
bool Allowed(const StatusTransition<Status> (&table)[N], Status from, Status to) {
  return std::any_of(std::begin(table), std::end(table),
                     [&](const auto& t) { return t.from == from && t.to == to; });
}

}  // namespace

std::span<const StatusTransition<ConversationStatus>> ConversationTransitions() {
  return kConversationTransitions;
}
std::span<const StatusTransition<DeliveryStatus>> DeliveryTransitions() {
  return kDeliveryTransitions;
}
std::span<const StatusTransition<PayloadState>> PayloadTransitions() { return kPayloadTransitions; }

bool CanTransition(ConversationStatus from, ConversationStatus to) {
  return Allowed(kConversationTransitions, from, to);
}
bool CanTransition(DeliveryStatus from, DeliveryStatus to) {
  return Allowed(kDeliveryTransitions, from, to);
}
bool CanTransition(PayloadState from, PayloadState to) {
  return Allowed(kPayloadTransitions, from, to);
}

}  // namespace parley::domain
