// Keyword tables, rules, canned responses, notes, customers and the organisation's lists over the
// API on a running server. A keyword table written over the API tags the next mention; a bad
// pattern, a stale version or a rule naming a table that is gone changes nothing. Every response
// is checked against docs/openapi.yaml.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createUser as create, firstAdmin, login as logIn, postGeneric, removeDir, review, startParley, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';
import { checkResponse } from './openapi_schema.mjs';

let dir;
let config;
let parley;
let document;
let workspace;  // acme
let other;      // a second brand
let admin;
let supervisor;
let agent;

async function api(session, path, { method = 'GET', body, raw } = {}) {
  const headers = { cookie: session.cookie };
  if (body !== undefined || raw !== undefined) {
    headers['content-type'] = 'application/json';
    headers['x-csrf-token'] = session.csrf;
  }
  if (method !== 'GET') headers['x-csrf-token'] = session.csrf;
  const response = await fetch(`${parley.url}${path}`, {
    method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  checkResponse(document, method, path, response.status, json);
  return { status: response.status, json };
}

async function mention(id, text, user = `customer-${id}`) {
  const posted = await postGeneric(parley.url, review(id, user, text));
  assert.equal(posted.status, 202);
  await waitUntilProcessed(parley.url);
  const list = await api(supervisor, `/api/v1/conversations?workspace=${workspace}&sort=recent&limit=50`);
  assert.equal(list.status, 200);
  const found = [];
  for (const item of list.json.items) {
    const detail = await api(supervisor, `/api/v1/conversations/${item.id}`);
    if (detail.json.messages.some((m) => m.text === text)) found.push(detail.json.conversation);
  }
  assert.equal(found.length, 1, `the conversation of "${text}"`);
  return found[0];
}

before(async () => {
  dir = tempDir();
  config = writeConfig(dir, `
[[workspaces]]
slug = "other"
name = "Other brand"
`);
  parley = await startParley({ dataDir: dir, config });
  document = await (await fetch(`${parley.url}/api/v1/openapi.json`)).json();
  const first = await firstAdmin(parley);
  for (const role of ['supervisor', 'agent']) {
    create({ config, dataDir: dir, email: `${role}@example.com`, role, password: `${role} password 123` });
  }
  admin = await logIn(parley.url, first);
  supervisor = await logIn(parley.url, { email: 'supervisor@example.com', password: 'supervisor password 123' });
  agent = await logIn(parley.url, { email: 'agent@example.com', password: 'agent password 123' });
  const workspaces = (await api(admin, '/api/v1/workspaces')).json.items;
  workspace = workspaces.find((w) => w.slug === 'acme').id;
  other = workspaces.find((w) => w.slug === 'other').id;
});

after(async () => {
  if (parley) await parley.stop();
  removeDir(dir);
});

test('a keyword table written over the API tags the next mention, and a bad edit changes nothing', async () => {
  const before = await mention('k1', 'I lost my golden ticket at the gate');
  assert.equal(before.tags.includes('golden'), false);

  const created = await api(supervisor, `/api/v1/workspaces/${workspace}/keyword-tables`, {
    method: 'POST',
    body: { name: 'tickets', language: 'en', entries: [{ patterns: ['golden ticket', 'gold ticket'], tags: ['golden'], priority: 30 }] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  assert.equal(created.json.version, 1);
  assert.equal(created.json.entries.length, 2);
  const id = created.json.id;

  const tagged = await mention('k2', 'Where do I swap my golden ticket?');
  assert.ok(tagged.tags.includes('golden'), JSON.stringify(tagged.tags));

  // An invalid pattern: refused with where and why; the table and the tagging stay as they were.
  const bad = await api(supervisor, `/api/v1/keyword-tables/${id}`, {
    method: 'PUT', body: { name: 'tickets', language: 'en', entries: [{ pattern: 'ticket[', kind: 'regex', tags: ['golden'] }] },
  });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /keyword table "tickets" \(en\) entry 1/);
  assert.match(bad.json.error.message, /position/);
  assert.equal((await api(agent, `/api/v1/keyword-tables/${id}`)).json.version, 1);
  assert.ok((await mention('k3', 'a gold ticket question')).tags.includes('golden'));

  // A change made since the editor read it is a conflict, not a silent overwrite.
  const edited = await api(supervisor, `/api/v1/keyword-tables/${id}`, {
    method: 'PUT', body: { ...created.json, entries: [{ pattern: 'silver ticket', tags: ['silver'] }] },
  });
  assert.equal(edited.status, 200, JSON.stringify(edited.json));
  assert.equal(edited.json.version, 2);
  const stale = await api(supervisor, `/api/v1/keyword-tables/${id}`, { method: 'PUT', body: created.json });
  assert.equal(stale.status, 409);
  assert.match(stale.json.error.message, /version 1, now 2/);
  const now = await mention('k4', 'is my silver ticket still valid, or my golden ticket?');
  assert.ok(now.tags.includes('silver'));
  assert.equal(now.tags.includes('golden'), false);

  const duplicate = await api(supervisor, `/api/v1/workspaces/${workspace}/keyword-tables`, {
    method: 'POST', body: { name: 'tickets', language: 'en', entries: [{ pattern: 'x' }] },
  });
  assert.equal(duplicate.status, 409);
  const unknownField = await api(supervisor, `/api/v1/workspaces/${workspace}/keyword-tables`, {
    method: 'POST', body: { name: 't2', entries: [{ pattern: 'x', colour: 'red' }] },
  });
  assert.equal(unknownField.status, 400);
  assert.match(unknownField.json.error.message, /entries\[0\].*colour/);
  const listed = await api(agent, `/api/v1/workspaces/${workspace}/keyword-tables`);
  assert.deepEqual(listed.json.items.map((t) => t.name), ['tickets']);
  // An agent reads tables but does not change them.
  const refused = await api(agent, `/api/v1/keyword-tables/${id}`, { method: 'DELETE' });
  assert.equal(refused.status, 403);
});

test('rules run on the next mention, and a table a rule needs cannot be deleted from under it', async () => {
  const table = await api(supervisor, `/api/v1/workspaces/${workspace}/keyword-tables`, {
    method: 'POST', body: { name: 'outage', entries: [{ patterns: ['flux capacitor is down', 'capacitor outage'] }] },
  });
  assert.equal(table.status, 201);
  const rule = await api(supervisor, `/api/v1/workspaces/${workspace}/rules`, {
    method: 'POST',
    body: {
      name: 'outage first', order: 1,
      when: [{ op: 'matches_table', value: 'outage' }],
      then: [{ action: 'tag', argument: 'capacitor' }, { action: 'set_priority', argument: 95 }],
    },
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.json));
  assert.deepEqual(rule.json.then, [{ action: 'tag', argument: 'capacitor' }, { action: 'set_priority', argument: '95' }]);

  const hit = await mention('r1', 'the flux capacitor is down again, nothing works');
  assert.ok(hit.tags.includes('capacitor'), JSON.stringify(hit.tags));
  assert.equal(hit.priority, 95);

  const gone = await api(supervisor, `/api/v1/keyword-tables/${table.json.id}`, { method: 'DELETE' });
  assert.equal(gone.status, 400);
  assert.match(gone.json.error.message, /outage/);
  assert.equal((await api(agent, `/api/v1/keyword-tables/${table.json.id}`)).status, 200);

  const badAction = await api(supervisor, `/api/v1/rules/${rule.json.id}`, {
    method: 'PUT', body: { name: 'outage first', then: [{ action: 'panic' }] },
  });
  assert.equal(badAction.status, 400);
  assert.match(badAction.json.error.message, /rule\.then\[0\]\.action: unknown action "panic"/);

  assert.equal((await api(supervisor, `/api/v1/rules/${rule.json.id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await api(supervisor, `/api/v1/keyword-tables/${table.json.id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await api(agent, `/api/v1/rules/${rule.json.id}`)).status, 404);
  const after = await mention('r2', 'my flux capacitor is down since noon');
  assert.equal(after.tags.includes('capacitor'), false);
});

test('"test this rule" runs a draft through the workspace\'s triage and stores nothing', async () => {
  const table = await api(supervisor, `/api/v1/workspaces/${workspace}/keyword-tables`, {
    method: 'POST', body: { name: 'warp', entries: [{ pattern: 'warp core breach', tags: ['warp'] }] },
  });
  assert.equal(table.status, 201);
  const stored = await api(supervisor, `/api/v1/workspaces/${workspace}/rules`, {
    method: 'POST', body: { name: 'warp alarm', when: [{ op: 'matches_table', value: 'warp' }], then: [{ action: 'tag', argument: 'stored-rule' }] },
  });
  assert.equal(stored.status, 201);
  const message = { text: 'URGENT: warp core breach on deck 4!! @acme', author: { handle: '@kirk', followers: 120000 } };
  // A new draft is added beside the stored rules; the stored one fires too.
  const draft = { name: 'big warp', when: [{ op: 'matches_table', value: 'warp' }, { field: 'author.followers', op: 'at_least', value: 100000 }], then: [{ action: 'set_priority', argument: 99 }, { action: 'escalate' }] };
  const fired = await api(supervisor, `/api/v1/workspaces/${workspace}/rules/test`, { method: 'POST', body: { message, rule: draft } });
  assert.equal(fired.status, 200, JSON.stringify(fired.json));
  assert.equal(fired.json.fired, true);
  assert.deepEqual(fired.json.actions.map((a) => `${a.rule}:${a.action}`).sort(), ['big warp:escalate', 'big warp:set_priority', 'warp alarm:tag']);
  assert.equal(fired.json.triage.priority, 99);
  assert.ok(fired.json.triage.tags.includes('warp'));
  assert.deepEqual(fired.json.keyword_hits.find((h) => h.table === 'warp'), { table: 'warp', pattern: 'warp core breach' });
  // The same draft on a small account does not fire.
  const quiet = await api(supervisor, `/api/v1/workspaces/${workspace}/rules/test`, { method: 'POST', body: { message: { ...message, author: { handle: '@ensign', followers: 12 } }, rule: draft } });
  assert.equal(quiet.json.fired, false);
  // A draft with a stored rule's id takes its place: the stored action is gone from the result.
  const replaced = await api(supervisor, `/api/v1/workspaces/${workspace}/rules/test`, {
    method: 'POST', body: { message, rule: { id: stored.json.id, name: 'warp alarm', when: [{ op: 'matches_table', value: 'warp' }], then: [{ action: 'tag', argument: 'edited' }] } },
  });
  assert.deepEqual(replaced.json.actions.map((a) => a.argument), ['edited']);
  // Without a draft: what the stored rules do; fired is absent.
  const plain = await api(supervisor, `/api/v1/workspaces/${workspace}/rules/test`, { method: 'POST', body: { message } });
  assert.equal(plain.json.fired, undefined);
  assert.deepEqual(plain.json.actions.map((a) => a.argument), ['stored-rule']);
  // Bad input: a 400 naming what is wrong, and nothing stored.
  const noText = await api(supervisor, `/api/v1/workspaces/${workspace}/rules/test`, { method: 'POST', body: { message: { txt: 'x' } } });
  assert.equal(noText.status, 400);
  assert.match(noText.json.error.message, /^message: /);
  const missingTable = await api(supervisor, `/api/v1/workspaces/${workspace}/rules/test`, { method: 'POST', body: { message, rule: { name: 'x', when: [{ op: 'matches_table', value: 'nope' }], then: [{ action: 'hide' }] } } });
  assert.equal(missingTable.status, 400);
  assert.match(missingTable.json.error.message, /nope/);
  assert.equal((await api(agent, `/api/v1/workspaces/${workspace}/rules/test`, { method: 'POST', body: { message } })).status, 403);
  const rules = (await api(supervisor, `/api/v1/workspaces/${workspace}/rules`)).json.items.map((r) => r.name);
  assert.deepEqual(rules.filter((n) => n.includes('warp')), ['warp alarm']);
  assert.equal((await api(supervisor, `/api/v1/rules/${stored.json.id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await api(supervisor, `/api/v1/keyword-tables/${table.json.id}`, { method: 'DELETE' })).status, 204);
});

test('an admin sees what connecting an account takes; the values shown are only those to share', async () => {
  const accounts = (await api(admin, '/api/v1/channel-accounts')).json.items;
  const generic = accounts.find((a) => a.kind === 'generic');
  const setup = await api(admin, `/api/v1/channel-accounts/${generic.id}/setup`);
  assert.equal(setup.status, 200);
  assert.equal(setup.json.account.webhook_path, generic.webhook_path);
  const secret = setup.json.credentials.find((c) => c.name === 'secret');
  assert.equal(secret.share, true);
  assert.equal(secret.set, true);
  assert.equal(typeof secret.value, 'string');
  assert.ok(secret.value.length > 0);
  assert.equal((await api(supervisor, `/api/v1/channel-accounts/${generic.id}/setup`)).status, 403);
  assert.equal((await api(admin, '/api/v1/channel-accounts/nope/setup')).status, 404);
});

test('a customer message says what triage filtered it as, its mood and its personal data', async () => {
  const spam = await mention('s1', 'WIN a FREE trip to Bali!!! click http://bit.ly/fr33 http://bit.ly/w1n', 'spammy');
  const detail = await api(supervisor, `/api/v1/conversations/${spam.id}`);
  const message = detail.json.messages[0];
  assert.deepEqual(message.filters, ['spam']);
  assert.equal(typeof message.sentiment, 'number');
  const card = await mention('s2', 'refund to card 4111 1111 1111 1111 please', 'carder');
  const withCard = (await api(supervisor, `/api/v1/conversations/${card.id}`)).json.messages[0];
  assert.deepEqual(withCard.personal_data, ['card']);
  assert.equal(withCard.redacted_text, 'refund to card [card] please');
  assert.deepEqual(withCard.filters, []);
});

test('canned responses list their variables and fill them in for a conversation', async () => {
  const conversation = await mention('c1', 'my order never came', 'jane');
  const created = await api(supervisor, `/api/v1/workspaces/${workspace}/canned-responses`, {
    method: 'POST',
    body: { name: 'Late order', shortcut: '/late', text: 'Hi {{customer.handle}}, sorry about {{order}}. ^{{agent.initials}}', tags: ['delivery'] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  assert.deepEqual(created.json.variables, ['customer.handle', 'order', 'agent.initials']);

  const missing = await api(agent, `/api/v1/canned-responses/${created.json.id}/render`, {
    method: 'POST', body: { conversation_id: conversation.id },
  });
  assert.equal(missing.status, 422);
  assert.match(missing.json.error.message, /order/);
  const filled = await api(agent, `/api/v1/canned-responses/${created.json.id}/render`, {
    method: 'POST', body: { conversation_id: conversation.id, values: { order: 'order #123', 'agent.initials': 'AG' } },
  });
  assert.equal(filled.status, 200, JSON.stringify(filled.json));
  assert.equal(filled.json.text, 'Hi jane, sorry about order #123. ^AG');

  for (const [body, pattern] of [
    [{ name: 'x', text: 'Hi {{name' }, /text: /],
    [{ name: 'x', text: 'Hi', shortcut: 'late' }, /shortcut/],
    [{ name: 'Late order', text: 'again' }, /exists/],
    [{ name: 'y', text: 'Hi', shortcut: '/late' }, /shortcut \/late/],
  ]) {
    const refused = await api(supervisor, `/api/v1/workspaces/${workspace}/canned-responses`, { method: 'POST', body });
    assert.ok(refused.status === 400 || refused.status === 409, `${refused.status} for ${JSON.stringify(body)}`);
    assert.match(refused.json.error.message, pattern);
  }
  const changed = await api(supervisor, `/api/v1/canned-responses/${created.json.id}`, {
    method: 'PUT', body: { name: 'Late order', text: 'Sorry, {{customer.first_name}}!' },
  });
  assert.equal(changed.status, 200);
  assert.deepEqual(changed.json.variables, ['customer.first_name']);
  const list = await api(agent, `/api/v1/workspaces/${workspace}/canned-responses`);
  assert.equal(list.json.items.length, 1);
});

test('notes are kept on the conversation, never sent, and customers show their history', async () => {
  const conversation = await mention('n1', 'second time my parcel is lost', 'sam');
  const note = await api(agent, `/api/v1/conversations/${conversation.id}/notes`, {
    method: 'POST', body: { text: 'Called Sam; parcel found at the depot.', kind: 'phone_call' },
  });
  assert.equal(note.status, 201, JSON.stringify(note.json));
  assert.equal(note.json.kind, 'phone_call');
  await api(agent, `/api/v1/conversations/${conversation.id}/notes`, { method: 'POST', body: { text: 'Follow up Friday.' } });
  const notes = await api(agent, `/api/v1/conversations/${conversation.id}/notes`);
  assert.deepEqual(notes.json.items.map((n) => n.kind), ['phone_call', 'note']);
  assert.equal((await api(agent, `/api/v1/conversations/${conversation.id}/notes`, { method: 'POST', body: { text: '' } })).status, 400);
  assert.equal((await api(agent, `/api/v1/conversations/${conversation.id}/notes`, { method: 'POST', body: { text: 'x', kind: 'fax' } })).status, 400);
  assert.equal((await api(agent, '/api/v1/conversations/999/notes')).status, 404);
  const detail = await api(agent, `/api/v1/conversations/${conversation.id}`);
  assert.equal(detail.json.messages.some((m) => m.text.includes('depot')), false);

  // Tags by hand: added once each, removed, and never a change a reply must have seen.
  const tagged = await api(agent, `/api/v1/conversations/${conversation.id}/tags`, { method: 'POST', body: { add: ['vip', 'second-time', 'vip'] } });
  assert.equal(tagged.status, 200, JSON.stringify(tagged.json));
  assert.deepEqual(tagged.json.conversation.tags.filter((t) => ['vip', 'second-time'].includes(t)), ['vip', 'second-time']);
  assert.equal(tagged.json.conversation.version, conversation.version);
  const untagged = await api(agent, `/api/v1/conversations/${conversation.id}/tags`, { method: 'POST', body: { remove: ['second-time'] } });
  assert.equal(untagged.json.conversation.tags.includes('second-time'), false);
  assert.equal((await api(agent, `/api/v1/conversations/${conversation.id}/tags`, { method: 'POST', body: { add: ['x'.repeat(65)] } })).status, 400);
  assert.equal((await api(agent, `/api/v1/conversations/${conversation.id}/tags`, { method: 'POST', body: {} })).status, 400);
  const message = await api(agent, `/api/v1/messages/${detail.json.messages[0].id}`);
  assert.equal(message.json.text, 'second time my parcel is lost');
  assert.equal((await api(agent, '/api/v1/messages/12345')).status, 404);

  const customer = await api(agent, `/api/v1/customers/${conversation.customer_id}`);
  assert.equal(customer.status, 200);
  assert.equal(customer.json.customer.identities[0].handle, 'sam');
  assert.deepEqual(customer.json.conversations.map((c) => c.id), [conversation.id]);
  // Sam also wrote from another account: linked by hand, then split again.
  const other = await mention('n2', 'it is Sam again, from my other account', 'sam-alt');
  const linked = await api(agent, `/api/v1/customers/${conversation.customer_id}/link`, { method: 'POST', body: { customer_id: other.customer_id } });
  assert.equal(linked.status, 200, JSON.stringify(linked.json));
  assert.deepEqual(linked.json.customer.identities.map((i) => i.handle).sort(), ['sam', 'sam-alt']);
  assert.equal((await api(agent, `/api/v1/customers/${other.customer_id}`)).status, 404);
  const merged = await api(agent, `/api/v1/customers/${conversation.customer_id}`);
  assert.deepEqual(merged.json.conversations.map((c) => c.id).sort(), [conversation.id, other.id].sort());
  const split = await api(agent, `/api/v1/customers/${conversation.customer_id}/unlink`, {
    method: 'POST', body: { channel: 'generic', platform_user_id: 'sam-alt' },
  });
  assert.equal(split.status, 200, JSON.stringify(split.json));
  assert.deepEqual(split.json.customer.identities.map((i) => i.handle), ['sam']);
  assert.deepEqual(split.json.split.identities.map((i) => i.handle), ['sam-alt']);
  const again = await mention('n3', 'Sam-alt here, a new question', 'sam-alt');
  assert.equal(again.customer_id, split.json.split.id);
  const only = await api(agent, `/api/v1/customers/${conversation.customer_id}/unlink`, {
    method: 'POST', body: { channel: 'generic', platform_user_id: 'sam' },
  });
  assert.equal(only.status, 422);
  assert.equal((await api(agent, `/api/v1/customers/${conversation.customer_id}/link`, { method: 'POST', body: { customer_id: conversation.customer_id } })).status, 400);

  const page = await api(agent, `/api/v1/workspaces/${workspace}/customers?limit=2`);
  assert.equal(page.json.items.length, 2);
  const next = await api(agent, `/api/v1/workspaces/${workspace}/customers?limit=500&after=${page.json.next_after}`);
  assert.ok(next.json.items.every((c) => BigInt(c.id) > BigInt(page.json.next_after)));
  assert.equal((await api(agent, `/api/v1/workspaces/${workspace}/customers?after=1%20OR%201=1`)).status, 400);
});

test('the organisation lists, and another brand\'s content stays out of reach', async () => {
  const codes = await api(admin, `/api/v1/workspaces/${workspace}/resolution-codes`, { method: 'PUT', body: { items: ['refunded', 'delivered'] } });
  assert.deepEqual(codes.json.items, ['delivered', 'refunded']);
  assert.deepEqual((await api(agent, `/api/v1/workspaces/${workspace}/resolution-codes`)).json.items, ['delivered', 'refunded']);
  assert.equal((await api(admin, `/api/v1/workspaces/${workspace}/resolution-codes`, { method: 'PUT', body: { items: ['Not A Code'] } })).status, 400);
  assert.equal((await api(admin, `/api/v1/workspaces/${workspace}/resolution-codes`, { method: 'PUT', body: { items: ['a', 'a'] } })).status, 400);
  assert.equal((await api(supervisor, `/api/v1/workspaces/${workspace}/resolution-codes`, { method: 'PUT', body: { items: [] } })).status, 403);
  for (const list of ['teams', 'agents', 'sla-policies', 'calendars']) {
    const response = await api(agent, `/api/v1/workspaces/${workspace}/${list}`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.json.items, []);
  }
  const table = await api(supervisor, `/api/v1/workspaces/${other}/keyword-tables`, {
    method: 'POST', body: { name: 'other brand words', entries: [{ pattern: 'secret sale' }] },
  });
  assert.equal(table.status, 201);
  // The supervisor is restricted to acme: the other brand's things are as if absent.
  const me = (await api(admin, '/api/v1/users')).json.items.find((u) => u.email === 'supervisor@example.com');
  const restricted = await api(admin, `/api/v1/users/${me.id}`, { method: 'PATCH', body: { workspace_ids: [workspace] } });
  assert.equal(restricted.status, 200);
  assert.equal((await api(supervisor, `/api/v1/keyword-tables/${table.json.id}`)).status, 404);
  assert.equal((await api(supervisor, `/api/v1/keyword-tables/${table.json.id}`, { method: 'PUT', body: { name: 'mine', entries: [{ pattern: 'x' }] } })).status, 404);
  assert.equal((await api(supervisor, `/api/v1/keyword-tables/${table.json.id}`, { method: 'DELETE' })).status, 404);
  assert.equal((await api(supervisor, `/api/v1/workspaces/${other}/keyword-tables`)).status, 404);
  assert.equal((await api(supervisor, `/api/v1/workspaces/${other}/rules`, { method: 'POST', body: { name: 'r', then: [{ action: 'hide' }] } })).status, 404);
  assert.equal((await api(supervisor, `/api/v1/workspaces/${other}/customers`)).status, 404);
  assert.equal((await api(admin, `/api/v1/keyword-tables/${table.json.id}`)).json.name, 'other brand words');
});
