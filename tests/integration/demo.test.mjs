// `parley demo` on a fresh data directory: the demo logins work, Acme Air routes to the demo's
// agents, and an agent who connects is online and given the mentions that arrive.
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
  const assigned = await events.until((m) => m.event === 'conversation.assigned');
  assert.match(assigned.data.reason, /load 0\/5/);
  events.ws.close();
});
