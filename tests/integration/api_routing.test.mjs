// Distribution on a running server (C3): a workspace's routing file gives it teams and agents; an
// agent's WebSocket is their presence; a mention is assigned with its reasons, only the assignee
// may reply and not from a stale view, the delivered reply stops the clock, a supervisor takes
// over, and the assignee's resolution frees their place.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { FakeX } from './fake_x.mjs';
import { connectEvents, createUser, login as logIn, postXMention, removeDir, runParley, startParley, tempDir, waitUntilProcessed, xAccountConfig } from './harness.mjs';

const brand = '4337869213';
const consumerSecret = 'x-consumer-secret';
let dir;
let config;
let parley;
let fake;

const login = (email) => logIn(parley.url, { email, password: `${email} password` });

async function api(session, path, { method = 'GET', body } = {}) {
  const headers = { cookie: session.cookie };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    headers['x-csrf-token'] = session.csrf;
  }
  const response = await fetch(`${parley.url}${path}`, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(body ?? {}) });
  return { status: response.status, json: await response.json() };
}

async function mention(id, user, text) {
  assert.equal(await postXMention(parley.url, { brand, consumerSecret, id, user, text }), 200);
  await waitUntilProcessed(parley.url);
}

function routingFile(spec) {
  const path = join(dir, 'routing.json');
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

function writeServerConfig(routing) {
  config = join(dir, 'parley.toml');
  writeFileSync(config, `
[[workspaces]]
slug = "acme"
name = "Acme"
routing = "${routing}"
resolution_codes = ["refund_sent", "delivered", "no_action"]
${xAccountConfig({ brand, consumerSecret, accessToken: 'user-token', base: fake.base })}`);
}

before(async () => {
  fake = new FakeX('user-token');
  await fake.start();
  dir = tempDir();
  writeServerConfig(routingFile({
    teams: { care: { members: ['Ann', 'Bob'], leader: 'Bob' } },
    agents: {
      Ann: { email: 'ann@example.com', cap: 2, skills: ['language:en'] },
      Bob: { email: 'bob@example.com', cap: 2 },
      Sue: { email: 'sue@example.com' },
    },
  }));
  parley = await startParley({ dataDir: dir, config });
  for (const [email, role] of [['ann@example.com', 'agent'], ['bob@example.com', 'agent'], ['sue@example.com', 'supervisor'], ['root@example.com', 'admin']]) {
    createUser({ config, dataDir: dir, email, role, password: `${email} password` });
  }
});

after(async () => {
  if (parley) await parley.stop();
  await fake.stop();
  removeDir(dir);
});

test('assigned with reasons to whoever is connected; only the assignee replies, from a fresh view', async () => {
  const ann = await login('ann@example.com');
  const bob = await login('bob@example.com');
  const sue = await login('sue@example.com');
  const annEvents = connectEvents(parley.url, '', { cookie: ann.cookie });
  assert.equal(await annEvents.opened, true);
  const online = await annEvents.until((m) => m.event === 'agent.presence');
  assert.equal(online.data.presence, 'online');

  await mention('1850000000000000001', '777', '@AcmeHelp where is my refund?');
  const assigned = await annEvents.until((m) => m.event === 'conversation.assigned');
  const id = assigned.data.conversation_id;
  assert.match(assigned.data.reason, /load 0\/2/);
  assert.deepEqual(assigned.data.passed_over.map((p) => p.why_not), ['offline']);
  // The wallboard's figure follows every batch that moved a queue.
  const depth = await annEvents.until((m) => m.event === 'queue.depth');
  assert.equal(depth.data.team_id, assigned.data.team_id);
  assert.equal(depth.data.queued, 0);
  assert.equal(depth.data.oldest_queued_at, null);

  const detail = (await api(ann, `/api/v1/conversations/${id}`)).json.conversation;
  assert.equal(detail.status, 'assigned');
  assert.equal(detail.assignee_id, assigned.data.agent_id);
  assert.match(detail.assignment_reason, /skills en, load 0\/2/);
  assert.equal(detail.passed_over[0].why_not, 'offline');
  assert.ok(detail.sla.first_response_due, 'the first-response clock runs');

  // Bob is not the assignee; Ann's view is stale once the customer writes again.
  const notHis = await api(bob, `/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text: 'Hi!' } });
  assert.equal(notHis.status, 403);
  assert.match(notHis.json.error.message, /assigned to Ann; take it over to reply/);
  await mention('1850000000000000003', '777', '@AcmeHelp hello??');
  const stale = await api(ann, `/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text: 'Hi!', seen_version: detail.version } });
  assert.equal(stale.status, 409);
  assert.match(stale.json.error.message, /changed since you opened it .*: the customer wrote/);

  const fresh = (await api(ann, `/api/v1/conversations/${id}`)).json.conversation;
  const reply = await api(ann, `/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text: 'Checking now ^AN', seen_version: fresh.version } });
  assert.equal(reply.status, 202, JSON.stringify(reply.json));
  const stopped = await annEvents.until((m) => m.event === 'sla.stopped' && m.data.clock === 'first_response');
  assert.equal(stopped.data.reason, 'met');
  const answered = (await api(ann, `/api/v1/conversations/${id}`)).json.conversation;
  assert.equal(answered.status, 'waiting_on_customer');
  assert.equal(answered.sla.first_response_due, null);

  // A supervisor takes over; Ann hears of it. Then the conversation is resolved.
  const taken = await api(sue, `/api/v1/conversations/${id}/take`, { method: 'POST' });
  assert.equal(taken.status, 200, JSON.stringify(taken.json));
  assert.notEqual(taken.json.conversation.assignee_id, detail.assignee_id);
  assert.match(taken.json.conversation.assignment_reason, /taken over by/);
  assert.deepEqual(taken.json.conversation.assignments.map((a) => a.reason.startsWith('taken over')), [false, true]);
  const lost = await annEvents.until((m) => m.event === 'conversation.unassigned');
  assert.equal(lost.data.conversation_id, id);
  const annAgain = await api(ann, `/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text: 'me again' } });
  assert.equal(annAgain.status, 403);

  const workspace = (await api(sue, '/api/v1/workspaces')).json.items[0].id;
  const codes = await api(sue, `/api/v1/workspaces/${workspace}/resolution-codes`);
  assert.deepEqual(codes.json.items, ['refund_sent', 'delivered', 'no_action']);
  const unknownCode = await api(sue, `/api/v1/conversations/${id}/resolve`, { method: 'POST', body: { resolution_code: 'magic' } });
  assert.equal(unknownCode.status, 422);
  assert.match(unknownCode.json.error.message, /one of refund_sent, delivered, no_action/);
  const resolved = await api(sue, `/api/v1/conversations/${id}/resolve`, { method: 'POST', body: { resolution_code: 'refund_sent' } });
  assert.equal(resolved.status, 200);
  assert.equal(resolved.json.conversation.status, 'resolved');
  assert.equal(resolved.json.conversation.resolution_code, 'refund_sent');
  const twice = await api(sue, `/api/v1/conversations/${id}/resolve`, { method: 'POST', body: {} });
  assert.equal(twice.status, 422);
  // Ann steps away: her presence would otherwise outlast her socket by the grace period.
  annEvents.ws.send(JSON.stringify({ type: 'presence', status: 'away' }));
  await annEvents.until((m) => m.event === 'agent.presence' && m.data.presence === 'away');
  annEvents.ws.close();
});

test('presence, viewing and typing over the WebSocket; pull when free; bad input refused', async () => {
  const bob = await login('bob@example.com');
  const bobEvents = connectEvents(parley.url, '', { cookie: bob.cookie });
  assert.equal(await bobEvents.opened, true);
  bobEvents.ws.send(JSON.stringify({ type: 'presence', status: 'away' }));
  const away = await bobEvents.until((m) => m.event === 'agent.presence' && m.data.presence === 'away');
  assert.ok(away.data.agent_id);

  await mention('1850000000000000002', '778', '@AcmeHelp my parcel is lost');
  const queued = await bobEvents.until((m) => m.event === 'conversation.queued');
  const id = queued.data.conversation_id;
  assert.match(queued.data.reason, /Bob away/);

  bobEvents.ws.send(JSON.stringify({ type: 'presence', status: 'online' }));
  const assigned = await bobEvents.until((m) => m.event === 'conversation.assigned');
  assert.equal(assigned.data.conversation_id, id);
  bobEvents.ws.send(JSON.stringify({ type: 'viewing', conversation_id: id }));
  assert.equal((await bobEvents.until((m) => m.event === 'conversation.viewing')).data.conversation_id, id);
  bobEvents.ws.send(JSON.stringify({ type: 'typing', conversation_id: id }));
  assert.equal((await bobEvents.until((m) => m.event === 'conversation.typing')).data.agent_id, away.data.agent_id);

  bobEvents.ws.send(JSON.stringify({ type: 'presence', status: 'sleepy' }));
  assert.match((await bobEvents.until((m) => m.type === 'error')).message, /online, away or offline/);
  bobEvents.ws.send(JSON.stringify({ type: 'typing', conversation_id: '12345' }));
  assert.match((await bobEvents.until((m) => m.type === 'error')).message, /no such conversation/);

  // Another agent may not resolve Bob's conversation; a supervisor may (see above).
  const annResolves = await api(await login('ann@example.com'), `/api/v1/conversations/${id}/resolve`, { method: 'POST' });
  assert.equal(annResolves.status, 403);
  assert.match(annResolves.json.error.message, /take it over to resolve/);

  const workspace = (await api(bob, '/api/v1/workspaces')).json.items[0].id;
  // The agents list says what the router knows now: Bob connected, online, carrying one.
  const agents = (await api(bob, `/api/v1/workspaces/${workspace}/agents`)).json.items;
  const bobNow = agents.find((a) => a.id === away.data.agent_id);
  assert.deepEqual([bobNow.presence, bobNow.status, bobNow.connected, bobNow.on_shift, bobNow.load], ['online', 'online', true, true, 1]);

  // How loud it is: the customers' messages of the last minutes (the replies are not counted).
  const buzz = await api(bob, `/api/v1/workspaces/${workspace}/buzz?minutes=60`);
  assert.equal(buzz.json.minutes.length, 60);
  assert.equal(buzz.json.minutes.reduce((n, m) => n + m.messages, 0), 3);  // the three mentions so far
  assert.equal((await api(bob, `/api/v1/workspaces/${workspace}/buzz?minutes=0`)).status, 400);

  const pulled = await api(bob, `/api/v1/workspaces/${workspace}/pull`, { method: 'POST' });
  assert.equal(pulled.status, 404);  // nothing waits in the queue
  assert.match(pulled.json.error.message, /nothing/i);
  const badAssign = await api(await login('sue@example.com'), `/api/v1/conversations/${id}/assign`, { method: 'POST', body: { agent_id: 'x' } });
  assert.equal(badAssign.status, 400);
  bobEvents.ws.close();
});

test('the set-up is read and changed over the API, and applies at once', async () => {
  const sue = await login('sue@example.com');
  const ann = await login('ann@example.com');
  const workspace = (await api(sue, '/api/v1/workspaces')).json.items[0].id;
  const setup = await api(ann, `/api/v1/workspaces/${workspace}/routing`);
  assert.equal(setup.status, 200);
  assert.deepEqual(setup.json.teams.care.members, ['Ann', 'Bob']);
  assert.equal(setup.json.agents.Ann.email, 'ann@example.com');
  assert.deepEqual(setup.json.agents.Ann.skills, ['language:en:3']);

  // Agents and supervisors may read it, admins change it; a mistake is refused with the field.
  const root = await login('root@example.com');
  const changed = structuredClone(setup.json);
  changed.teams.care.members.push('Sue');
  assert.equal((await api(sue, `/api/v1/workspaces/${workspace}/routing`, { method: 'PUT', body: changed })).status, 403);
  const broken = structuredClone(setup.json);
  broken.teams.care.members.push('Nobody');
  const refused = await api(root, `/api/v1/workspaces/${workspace}/routing`, { method: 'PUT', body: broken });
  assert.equal(refused.status, 400);
  assert.match(refused.json.error.message, /teams\.care\.members: no agent named "Nobody"/);

  const put = await api(root, `/api/v1/workspaces/${workspace}/routing`, { method: 'PUT', body: changed });
  assert.equal(put.status, 200, JSON.stringify(put.json));
  assert.deepEqual(put.json.teams.care.members, ['Ann', 'Bob', 'Sue']);
  // Sue, now a member, connects and is given the next mention (Ann and Bob are away).
  const sueEvents = connectEvents(parley.url, '', { cookie: sue.cookie });
  assert.equal(await sueEvents.opened, true);
  await mention('1850000000000000004', '779', '@AcmeHelp card declined twice');
  const assigned = await sueEvents.until((m) => m.event === 'conversation.assigned');
  const detail = (await api(sue, `/api/v1/conversations/${assigned.data.conversation_id}`)).json.conversation;
  assert.equal(detail.assignee_id, assigned.data.agent_id);
  assert.equal(put.json.agents.Sue !== undefined, true);
  sueEvents.ws.close();
});

test('a routing file with a mistake stops the server with the field and the reason', async () => {
  const broken = tempDir();
  try {
    const path = join(broken, 'routing.json');
    writeFileSync(path, JSON.stringify({ teams: { care: { members: ['Nobody'] } }, agents: {} }));
    const toml = join(broken, 'parley.toml');
    writeFileSync(toml, `[[workspaces]]\nslug = "acme"\nrouting = "${path}"\n`);
    const run = runParley(['serve', '--port', '0', '--data', join(broken, 'data'), '--config', toml]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr + run.stdout, /workspaces\.acme\.routing: teams\.care\.members: no agent named "Nobody"/);
  } finally {
    removeDir(broken);
  }
});
