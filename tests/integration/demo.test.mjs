// `parley demo` on a fresh data directory: the demo logins work, Acme Air routes to the demo's
// agents, an agent who connects is online and given the mentions that arrive, a simulated stream
// of customers writes in on both brands' channels, every payload read by its parser, simulated
// agents answer some of it (sent to the demo's sandbox platforms), and the airline's key
// customers are recognised.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { connectEvents, login, postGeneric, removeDir, review, sign, startParley, tempDir } from './harness.mjs';

let dir;
let parley;

before(async () => {
  dir = tempDir();
  parley = await startParley({ args: ['demo'], dataDir: dir });
});

after(async () => {
  if (parley) await parley.stop();
  removeDir(dir);
});

test('the demo routes Acme Air to its demo agents', async () => {
  for (let i = 0; i < 100 && !/Demo logins/.test(parley.stdout()); i += 1) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const printed = /agent: (\S+) \((\S+)\)/.exec(parley.stdout());
  assert.ok(printed, parley.stdout());
  const agent = await login(parley.url, { email: printed[1], password: printed[2] });
  const workspaces = (await fetch(`${parley.url}/api/v1/workspaces`, { headers: { cookie: agent.cookie } }).then((r) => r.json())).items;
  const acme = workspaces.find((w) => w.slug === 'acme-air');
  const routing = await fetch(`${parley.url}/api/v1/workspaces/${acme.id}/routing`, { headers: { cookie: agent.cookie } }).then((r) => r.json());
  assert.deepEqual(Object.keys(routing.teams).sort(), ['care', 'escalations']);
  assert.equal(routing.default_team, 'care');

  const events = connectEvents(parley.url, '', { cookie: agent.cookie });
  assert.equal(await events.opened, true);
  assert.equal((await events.until((m) => m.event === 'agent.presence')).data.presence, 'online');
  // A review arrives on the demo's generic account (its secret is in the demo's configuration).
  const secret = /platform_account_id = "acme-reviews"\ncredentials = \{ secret = "([0-9a-f]+)"/.exec(readFileSync(join(dir, 'demo.toml'), 'utf8'))[1];
  const body = review('r1', 'u1', 'My bag never arrived, please help');
  assert.equal((await postGeneric(parley.url, body, { account: 'acme-reviews', signature: sign(body, secret) })).status, 202);
  // The simulated stream is writing too: find this review's conversation among them.
  const created = await events.until((m) => m.event === 'message.created' && m.data.platform_message_id === 'r1', 20_000);
  // Routed: to the agent (unless the stream has filled her up already), else into the queue.
  const routed = await events.until((m) => (m.event === 'conversation.assigned' || m.event === 'conversation.queued') &&
    m.data.conversation_id === created.data.conversation_id, 20_000);
  if (routed.event === 'conversation.assigned') assert.match(routed.data.reason, /load \d\/5/);
  events.ws.close();
});

test('a simulated stream of customers writes in on the demo brand\'s channels', async () => {
  const printed = /admin: (\S+) \((\S+)\)/.exec(parley.stdout());
  const admin = await login(parley.url, { email: printed[1], password: printed[2] });
  assert.match(parley.stdout(), /simulated stream/);
  const workspaces = (await fetch(`${parley.url}/api/v1/workspaces`, { headers: { cookie: admin.cookie } }).then((r) => r.json())).items;
  const acme = workspaces.find((w) => w.slug === 'acme-air');
  const deadline = Date.now() + 45_000;
  let channels = new Set();
  let count = 0;
  while (Date.now() < deadline && (channels.size < 2 || count < 4)) {
    const page = await fetch(`${parley.url}/api/v1/conversations?workspace=${acme.id}&sort=recent&limit=200`, { headers: { cookie: admin.cookie } }).then((r) => r.json());
    count = page.items.length;
    channels = new Set(page.items.flatMap((c) => c.channels));
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(count >= 4, `${count} conversations`);
  assert.ok(channels.size >= 2, `channels: ${[...channels]}`);
  const letters = await fetch(`${parley.url}/api/v1/dead-letters`, { headers: { cookie: admin.cookie } }).then((r) => r.json());
  assert.deepEqual(letters.items.map((l) => l.error), [], 'every simulated payload is read by its parser');
});

async function asAdmin() {
  const printed = /admin: (\S+) \((\S+)\)/.exec(parley.stdout());
  const admin = await login(parley.url, { email: printed[1], password: printed[2] });
  const get = (path) => fetch(`${parley.url}${path}`, { headers: { cookie: admin.cookie } }).then((r) => r.json());
  const workspaces = (await get('/api/v1/workspaces')).items;
  return { get, acme: workspaces.find((w) => w.slug === 'acme-air'), bank: workspaces.find((w) => w.slug === 'northwind-bank') };
}

test('simulated agents answer some of the stream, and their answers are sent to the sandbox platforms', async () => {
  const { get, acme, bank } = await asAdmin();
  const routing = await get(`/api/v1/workspaces/${acme.id}/routing`);
  const simulated = Object.entries(routing.agents).filter(([, a]) => a.email?.endsWith('@sim.demo.parley.local')).map(([name]) => name);
  assert.equal(simulated.length, 2, JSON.stringify(routing.agents));
  const agents = (await get(`/api/v1/workspaces/${acme.id}/agents`)).items;
  const ids = new Set(agents.filter((a) => simulated.includes(a.display_name)).map((a) => a.id));
  assert.ok(agents.filter((a) => ids.has(a.id)).every((a) => a.presence === 'online'), JSON.stringify(agents));
  // An answer by a simulated agent, sent (they answer 20–90 s after they are given a conversation).
  const deadline = Date.now() + 150_000;
  let answered;
  while (!answered && Date.now() < deadline) {
    for (const workspace of [acme, bank]) {
      const page = await get(`/api/v1/conversations?workspace=${workspace.id}&sort=recent&limit=100`);
      for (const c of page.items.filter((c) => c.status === 'waiting_on_customer' || c.status === 'resolved')) {
        const detail = await get(`/api/v1/conversations/${c.id}`);
        const answer = detail.messages.find((m) => m.direction === 'outbound' && m.delivery === 'sent');
        if (answer) answered = { conversation: detail.conversation, answer };
      }
    }
    if (!answered) await new Promise((r) => setTimeout(r, 1000));
  }
  assert.ok(answered, 'a simulated agent answered within 150 s');
  assert.ok(answered.answer.text.length > 20);
  assert.match(parley.stdout(), /sandbox platforms at http:\/\/127\.0\.0\.1:\d+/);
  // The bank's stream writes in too.
  for (let i = 0; i < 120; i += 1) {
    if ((await get(`/api/v1/conversations?workspace=${bank.id}&sort=recent&limit=5`)).items.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok((await get(`/api/v1/conversations?workspace=${bank.id}&sort=recent&limit=5`)).items.length > 0, 'Northwind Bank has conversations');
});

test('the airline knows its key customers', async () => {
  const { get, acme } = await asAdmin();
  const secret = /platform_account_id = "acme-reviews"\ncredentials = \{ secret = "([0-9a-f]+)"/.exec(readFileSync(join(dir, 'demo.toml'), 'utf8'))[1];
  const body = JSON.stringify({ id: 'key-1', kind: 'review', text: 'Lounge in Lisbon was closed again, not good enough', author: { id: 'ffmax', handle: 'frequentflyermax' } });
  assert.equal((await postGeneric(parley.url, body, { account: 'acme-reviews', signature: sign(body, secret) })).status, 202);
  let found;
  for (let i = 0; i < 100 && !found; i += 1) {
    const page = await get(`/api/v1/conversations?workspace=${acme.id}&sort=recent&limit=100`);
    found = page.items.find((c) => c.customer?.handle?.replace('@', '') === 'frequentflyermax' && c.priority_reasons?.some((r) => /key customer/.test(r)));
    if (!found) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(found, 'a conversation with frequentflyermax marked as a key customer');
  assert.ok(found.priority_reasons.includes('key customer (platinum)'), JSON.stringify(found.priority_reasons));
});
