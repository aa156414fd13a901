// `parley import` loads history through the same pipeline, idempotently.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

test('the Customer Support on Twitter sample imports as threads of customers and brands', (t) => {
  const sample = join('..', 'shared', 'data', 'twcs', 'twcs_sample_93rows.csv');
  if (!existsSync(sample)) {
    t.skip('../shared/data/twcs is absent');
    return;
  }
  // The rows, read here independently of Parley's CSV reader (quoted fields may hold commas).
  const text = readFileSync(sample, 'utf8');
  const rows = [];
  let field = '';
  let row = [];
  let quoted = false;
  for (let i = 0; i < text.length; ++i) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; ++i; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else if (c !== '\r') field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  const data = rows.slice(1);
  const customers = new Set(data.filter((r) => r[2] === 'True').map((r) => r[1]));

  const dir = tempDir();
  const config = writeConfig(dir, `
[[channel_accounts]]
workspace = "acme"
kind = "x"
platform_account_id = "brands"
credentials = { consumer_secret = "s" }
`);
  const first = runParley(['import', '--format', 'twcs', '--account', 'brands', '--config', config,
    '--data', dir, sample]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).messages_created, data.length);
  const { stored } = stats(dir);
  assert.equal(stored.message, data.length);
  assert.equal(stored.customer, customers.size);  // brands are never customers
  assert.ok(stored.conversation > 0 && stored.conversation <= customers.size);

  const again = runParley(['import', '--format', 'twcs', '--account', 'brands', '--config', config,
    '--data', dir, sample]);
  assert.equal(JSON.parse(again.stdout).duplicates, data.length);
  removeDir(dir);
});
