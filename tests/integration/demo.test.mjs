// `parley demo` on a fresh data directory: the demo logins work, Acme Air routes to the demo's
// agents, an agent who connects is online and given the mentions that arrive, and a simulated
// stream of customers writes in on the brand's channels, every payload read by its parser.
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
