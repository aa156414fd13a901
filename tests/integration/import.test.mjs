// `parley import` loads history through the same pipeline, idempotently.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { removeDir, review, runParley, stats, tempDir, writeConfig } from './harness.mjs';

test('a JSON-lines file imports once, with bad lines as dead letters', () => {
  const dir = tempDir();
  const config = writeConfig(dir);
  const lines = [];
  for (let i = 0; i < 200; ++i) lines.push(review(`imp-${i}`, `user-${i % 20}`));
  lines.splice(50, 0, '{"id": "broken"');
  const file = join(dir, 'history.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');

  const first = runParley(['import', '--format', 'generic', '--config', config, '--data', dir, file]);
  assert.equal(first.code, 1, first.stderr);  // one line could not be imported
  const report = JSON.parse(first.stdout);
  assert.equal(report.lines, 201);
  assert.equal(report.messages_created, 200);
  assert.equal(report.dead_letters, 1);
  assert.equal(stats(dir).stored.message, 200);
  assert.equal(stats(dir).stored.customer, 20);

  const again = runParley(['import', '--format', 'generic', '--config', config, '--data', dir, file]);
  const second = JSON.parse(again.stdout);
  assert.equal(second.duplicates, 200);
  assert.equal(second.messages_created, 0);
  assert.equal(stats(dir).stored.message, 200);

  const unknown = runParley(['import', '--format', 'csv', '--config', config, '--data', dir, file]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown import format 'csv'/);
  removeDir(dir);
});

test('X API v2 and Meta history import through their own parsers', () => {
  const dir = tempDir();
  const config = writeConfig(dir, `
[[channel_accounts]]
workspace = "acme"
kind = "x"
platform_account_id = "100"
credentials = { consumer_secret = "s" }

[[channel_accounts]]
workspace = "acme"
kind = "facebook"
platform_account_id = "PAGE"
credentials = { app_secret = "s" }
`);
  // One JSON document spread over several lines: an API v2 search response.
  const v2 = join(dir, 'search.json');
  writeFileSync(v2, JSON.stringify({
    data: [
      { id: '11', author_id: '7', text: '@Acme my order never came', conversation_id: '11' },
      { id: '12', author_id: '100', text: '@jane sorry! DM us ^JD', conversation_id: '11',
        referenced_tweets: [{ type: 'replied_to', id: '11' }] },
    ],
    includes: { users: [{ id: '7', username: 'jane' }, { id: '100', username: 'Acme' }] },
  }, null, 2));
  const x = runParley(['import', '--format', 'x-v2', '--account', '100', '--config', config,
    '--data', dir, v2]);
  assert.equal(x.code, 0, x.stderr);
  assert.equal(JSON.parse(x.stdout).messages_created, 2);

  // JSON lines of Meta deliveries.
  const meta = join(dir, 'page.jsonl');
  const delivery = (id, text) => JSON.stringify({ object: 'page', entry: [{ id: 'PAGE', changes: [{
    field: 'feed', value: { item: 'post', verb: 'add', post_id: `PAGE_${id}`, from: { id: 'U' },
      message: text, created_time: 1700000000 } }] }] });
  writeFileSync(meta, [delivery(1, 'first'), delivery(2, 'second')].join('\n') + '\n');
  const m = runParley(['import', '--format', 'meta', '--config', config, '--data', dir, meta]);
  assert.equal(m.code, 0, m.stderr);
  assert.equal(JSON.parse(m.stdout).messages_created, 2);

  const { stored } = stats(dir);
  assert.equal(stored.message, 4);
  assert.equal(stored.customer, 2);  // @jane on X and U on Facebook; the brand is no customer
  removeDir(dir);
});
