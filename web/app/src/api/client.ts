// The typed API client: every path, body and answer is typed from docs/openapi.yaml (generated
// into schema.d.ts at each build), so a change to the document that the app does not follow fails
// the build. Sessions are the HttpOnly cookie; changes carry the CSRF token.
import type { components, paths } from './schema';

// What the document leaves open on a conversation (it lists the fields every client needs).
interface ConversationExtras {
  tier?: 'tier1' | 'tier2' | 'noise';
  tags?: string[];
  category?: string;
  sla?: { first_response_due?: string; next_response_due?: string; resolution_due?: string };
  first_response_at?: string;
  opened_at?: string;
  team_id?: string;
}
export type Conversation = components['schemas']['Conversation'] & ConversationExtras;
export type Message = components['schemas']['Message'];
export type User = components['schemas']['User'];
// The organisation's lists (the document leaves their items open).
export interface Team {
  id: string;
  workspace_id: string;
  name: string;
  member_ids?: string[];
}
export interface Agent {
  id: string;
  workspace_id: string;
  display_name: string;
  email?: string;
  presence?: 'online' | 'away' | 'offline';  // effective, where the workspace routes
  status?: 'online' | 'away' | 'offline';    // what they chose
  on_shift?: boolean;
  connected?: boolean;
  load?: number;  // weighted, against max_concurrent
  max_concurrent?: number;
  team_ids?: string[];
}
export type KeywordTable = components['schemas']['KeywordTable'];
export type Note = components['schemas']['Note'];
export type CannedResponse = components['schemas']['CannedResponse'];
export type Rule = components['schemas']['Rule'];
export type ChannelAccount = components['schemas']['ChannelAccount'];
export type DeadLetter = components['schemas']['DeadLetter'];
export type DeadLetterDetail = components['schemas']['DeadLetterDetail'];
export type AccountSetup = Json<'/api/v1/channel-accounts/{id}/setup', 'get'>;
export type RuleTest = Json<'/api/v1/workspaces/{id}/rules/test', 'post'>;
export type Role = User['role'];
// A workspace's teams, agents, calendars and SLA policies as one routing document
// (docs/routing.md); each section maps a name to its settings.
export interface RoutingSetup {
  calendars: Record<string, Record<string, unknown>>;
  sla_policies: Record<string, Record<string, unknown>>;
  teams: Record<string, Record<string, unknown>>;
  agents: Record<string, Record<string, unknown>>;
  default_team?: string;
  default_sla_policy?: Record<string, unknown>;
}
export type CustomerHistory = Json<'/api/v1/customers/{id}', 'get'>;
export type KeywordEntry = KeywordTable['entries'][number];
export type Workspace = paths['/api/v1/workspaces']['get']['responses']['200']['content']['application/json']['items'][number];
type Json<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : paths[P][M] extends { responses: { 202: { content: { 'application/json': infer T } } } }
    ? T
    : never;
export type InboxItem = Json<'/api/v1/conversations', 'get'>['items'][number] & ConversationExtras;
export type ConversationDetail = Omit<Json<'/api/v1/conversations/{id}', 'get'>, 'conversation' | 'messages'> & {
  conversation: Conversation;
  messages: Message[];
  customer: { display_name?: string; identities?: { channel: string; handle?: string; platform_user_id: string; followers?: number }[] } | null;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// What to tell a person about a failed call: the server's reason, or that it cannot be reached.
export const reasonOf = (e: unknown) => (e instanceof ApiError ? e.message : 'Parley cannot be reached');

let csrfToken: string | null = null;

async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await response.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, error?.code ?? 'error', error?.message ?? `${response.status} ${response.statusText}`);
  }
  return json as T;
}

const query = (values: Record<string, string | undefined>) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined) params.set(key, value);
  return params.toString();
};

export const api = {
  async login(email: string, password: string) {
    const session = await call<Json<'/api/v1/auth/login', 'post'>>('POST', '/api/v1/auth/login', { email, password });
    csrfToken = session.csrf_token;
    return session;
  },
  async me() {
    const me = await call<Json<'/api/v1/me', 'get'>>('GET', '/api/v1/me');
    csrfToken = me.csrf_token ?? null;
    return me;
  },
  logout: () => call<unknown>('POST', '/api/v1/auth/logout'),
  workspaces: () => call<Json<'/api/v1/workspaces', 'get'>>('GET', '/api/v1/workspaces'),
  conversations: (workspace: string, sort: 'priority' | 'recent' = 'priority') =>
    call<Json<'/api/v1/conversations', 'get'> & { items: InboxItem[] }>('GET', `/api/v1/conversations?${query({ workspace, sort, limit: '100' })}`),
  conversation: (id: string) => call<ConversationDetail>('GET', `/api/v1/conversations/${id}`),
  reply: (id: string, text: string, options: { seenVersion?: number; private?: boolean; email?: string } = {}) =>
    call<Json<'/api/v1/conversations/{id}/replies', 'post'>>('POST', `/api/v1/conversations/${id}/replies`, {
      text,
      ...(options.seenVersion === undefined ? {} : { seen_version: options.seenVersion }),
      ...(options.private ? { private: true } : {}),
      ...(options.email ? { email: options.email } : {}),
    }),
  tag: (id: string, change: { add?: string[]; remove?: string[] }) =>
    call<{ conversation: Conversation }>('POST', `/api/v1/conversations/${id}/tags`, change),
  notes: (id: string) => call<{ items: Note[] }>('GET', `/api/v1/conversations/${id}/notes`),
  addNote: (id: string, text: string, kind: string) => call<Note>('POST', `/api/v1/conversations/${id}/notes`, { text, kind }),
  cannedResponses: (workspace: string) => call<{ items: CannedResponse[] }>('GET', `/api/v1/workspaces/${workspace}/canned-responses`),
  renderCanned: (id: string, conversationId: string) =>
    call<{ text: string }>('POST', `/api/v1/canned-responses/${id}/render`, { conversation_id: conversationId }),
  resolutionCodes: (workspace: string) => call<{ items: string[] }>('GET', `/api/v1/workspaces/${workspace}/resolution-codes`),
  resolve: (id: string, code?: string) => call<unknown>('POST', `/api/v1/conversations/${id}/resolve`, code ? { resolution_code: code } : {}),
  keywordTables: (workspace: string) => call<{ items: KeywordTable[] }>('GET', `/api/v1/workspaces/${workspace}/keyword-tables`),
  createKeywordTable: (workspace: string, table: KeywordTable) =>
    call<KeywordTable>('POST', `/api/v1/workspaces/${workspace}/keyword-tables`, table),
  saveKeywordTable: (table: KeywordTable) => {
    const { id, workspace_id: _workspace, ...body } = table;
    return call<KeywordTable>('PUT', `/api/v1/keyword-tables/${id}`, body);
  },
  customer: (id: string) => call<Json<'/api/v1/customers/{id}', 'get'>>('GET', `/api/v1/customers/${id}`),
  teams: (workspace: string) => call<{ items: Team[] }>('GET', `/api/v1/workspaces/${workspace}/teams`),
  agents: (workspace: string) => call<{ items: Agent[] }>('GET', `/api/v1/workspaces/${workspace}/agents`),
  buzz: (workspace: string, minutes = 30) => call<Json<'/api/v1/workspaces/{id}/buzz', 'get'>>('GET', `/api/v1/workspaces/${workspace}/buzz?minutes=${minutes}`),
  openConversations: (workspace: string) =>
    call<{ items: InboxItem[] }>('GET', `/api/v1/conversations?workspace=${workspace}&status=queued&status=assigned&limit=500`),
  assign: (id: string, agentId: string, reason: string) =>
    call<unknown>('POST', `/api/v1/conversations/${id}/assign`, { agent_id: agentId, reason }),
  take: (id: string) => call<unknown>('POST', `/api/v1/conversations/${id}/take`, {}),

  // Admin.
  channelAccounts: () => call<{ items: ChannelAccount[] }>('GET', '/api/v1/channel-accounts'),
  accountSetup: (id: string) => call<AccountSetup>('GET', `/api/v1/channel-accounts/${id}/setup`),
  rules: (workspace: string) => call<{ items: Rule[] }>('GET', `/api/v1/workspaces/${workspace}/rules`),
  createRule: (workspace: string, rule: Rule) => call<Rule>('POST', `/api/v1/workspaces/${workspace}/rules`, withoutIds(rule)),
  saveRule: (rule: Rule) => call<Rule>('PUT', `/api/v1/rules/${rule.id}`, withoutIds(rule)),
  deleteRule: (id: string) => call<unknown>('DELETE', `/api/v1/rules/${id}`),
  testRule: (workspace: string, message: Record<string, unknown>, rule?: Rule) =>
    call<RuleTest>('POST', `/api/v1/workspaces/${workspace}/rules/test`, {
      message,
      ...(rule ? { rule: { ...withoutIds(rule), ...(rule.id ? { id: rule.id } : {}) } } : {}),
    }),
  createCanned: (workspace: string, canned: CannedResponse) =>
    call<CannedResponse>('POST', `/api/v1/workspaces/${workspace}/canned-responses`, withoutIds(canned)),
  saveCanned: (canned: CannedResponse) => call<CannedResponse>('PUT', `/api/v1/canned-responses/${canned.id}`, withoutIds(canned)),
  deleteCanned: (id: string) => call<unknown>('DELETE', `/api/v1/canned-responses/${id}`),
  routing: (workspace: string) => call<RoutingSetup>('GET', `/api/v1/workspaces/${workspace}/routing`),
  saveRouting: (workspace: string, setup: RoutingSetup) => call<RoutingSetup>('PUT', `/api/v1/workspaces/${workspace}/routing`, setup),
  users: () => call<{ items: User[] }>('GET', '/api/v1/users'),
  createUser: (user: { email: string; display_name?: string; role: Role; password: string; workspace_ids?: string[] }) =>
    call<User>('POST', '/api/v1/users', user),
  changeUser: (id: string, change: Partial<Pick<User, 'display_name' | 'role' | 'disabled' | 'workspace_ids' | 'channel_account_ids' | 'team_ids'>>) =>
    call<User>('PATCH', `/api/v1/users/${id}`, change),
  deadLetters: (after?: string) => call<Json<'/api/v1/dead-letters', 'get'>>('GET', `/api/v1/dead-letters?${query({ after, limit: '100' })}`),
  deadLetter: (id: string) => call<DeadLetterDetail>('GET', `/api/v1/dead-letters/${id}`),
  replayDeadLetter: (id: string) => call<unknown>('POST', `/api/v1/dead-letters/${id}/replay`, {}),
};

// What the server writes itself (ids, the workspace, derived fields) is not sent back.
function withoutIds<T extends { id?: string | null; workspace_id?: string | null }>(value: T) {
  const { id: _id, workspace_id: _workspace, ...rest } = value;
  if ('variables' in rest) delete (rest as { variables?: unknown }).variables;
  return rest;
}
