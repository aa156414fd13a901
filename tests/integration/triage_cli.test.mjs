// `parley triage`: JSON lines in, one JSON line out per line in, the documented fields only; a bad
// line gets an error line in its place and exit code 1, the others are still triaged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const binary = process.env.PARLEY_BINARY ?? 'build/debug/parley';

function triage(lines, args = []) {
  const run = spawnSync(binary, ['triage', ...args], { input: lines.join('\n') + '\n', encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr, out: run.stdout.trim().split('\n').map((l) => JSON.parse(l)) };
}

test('one line out per line in, with exactly the documented fields', () => {
  const { status, out } = triage([
    JSON.stringify({ text: '@acme my card 4111 1111 1111 1111 was charged twice and nobody answers!!', author: { handle: 'jo', followers: 52000 } }),
    JSON.stringify({ text: '¿A qué hora abre la tienda de Sol?', lang: 'es' }),
    JSON.stringify({ text: 'RT @someone: my parcel is lost' }),
  ]);
  assert.equal(status, 0);
  assert.equal(out.length, 3);
  for (const line of out) {
    assert.deepEqual(Object.keys(line).sort(),
      ['actionable', 'intent', 'language', 'pii', 'polarity', 'priority', 'reasons', 'risk', 'sentiment', 'tags', 'tier']);
  }
  assert.equal(out[0].intent, 'dissatisfaction');
  assert.equal(out[0].risk, 'transactional_query');
  assert.deepEqual(out[0].pii, [{ type: 'card', start: 14, end: 33 }]);
  assert.ok(out[0].tags.includes('influencer'));
  assert.ok(out[0].reasons.some((r) => r.field === 'priority' && r.because.startsWith('P1: dissatisfied')));
  assert.equal(out[1].intent, 'question');
  assert.equal(out[1].language, 'es');
  assert.equal(out[1].risk, 'fact_query');
  assert.equal(out[2].intent, 'noise');
  assert.equal(out[2].tier, 0);
});

test('a bad line is answered with an error in its place; the rest are triaged', () => {
  const { status, stderr, out } = triage(['not json', JSON.stringify({ text: 42 }), JSON.stringify({ text: 'thanks @acme, great service!' })]);
  assert.equal(status, 1);
  assert.match(stderr, /line 1: not a JSON object/);
  assert.deepEqual(out[0], { error: 'not a JSON object', line: 1 });
  assert.equal(out[1].error, '"text" must be a string');
  assert.equal(out[2].intent, 'positive_experience');
});

test('a configuration with an invalid pattern is refused with its table, entry and position', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-triage-'));
  const config = path.join(dir, 'triage.json');
  fs.writeFileSync(config, JSON.stringify({ keyword_tables: [{ name: 'billing', language: 'en', entries: [{ pattern: 'charge[', kind: 'regex' }] }] }));
  const run = spawnSync(binary, ['triage', '--config', config], { input: '', encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /keyword table "billing" \(en\) entry 1 pattern "charge\[": at position \d+/);
  fs.rmSync(dir, { recursive: true });
});

test('key customers come from a CSV and rules act on them', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-triage-'));
  const csv = path.join(dir, 'customers.csv');
  const config = path.join(dir, 'triage.json');
  fs.writeFileSync(csv, 'handle,platform_user_id,tier\n@bigspender,,platinum\n');
  fs.writeFileSync(config, JSON.stringify({ rules: [{ name: 'vip', when: [{ field: 'key_customer_tier', value: 'platinum' }], then: [{ action: 'tag', argument: 'vip' }] }] }));
  const { status, out } = triage([JSON.stringify({ text: 'where is my order @acme?', author: { handle: 'BigSpender' } })], ['--config', config, '--key-customers', csv]);
  assert.equal(status, 0);
  assert.ok(out[0].tags.includes('key_customer'));
  assert.ok(out[0].tags.includes('vip'));
  assert.ok(out[0].reasons.some((r) => r.field === 'rule' && r.value === 'vip'));
  fs.rmSync(dir, { recursive: true });
});
