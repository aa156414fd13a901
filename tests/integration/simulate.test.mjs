// `parley simulate`: a scenario file in, a report out (docs/simulation.md); an invalid scenario
// is refused with the field at fault; stored history replays against a scenario's staffing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { removeDir, review, runParley, tempDir, writeConfig } from './harness.mjs';

const staffing = {
  start: '2026-03-27T09:00:00Z',
  calendars: { uk: { time_zone: 'Europe/London', weekdays: ['09:00-17:00'] } },
  sla_policies: {
    standard: {
      business_hours: true,
      targets: [{ metric: 'first_response', target: '15m', warn_before: '5m' }],
    },
  },
  teams: { care: { members: ['ann', 'bob'], calendar: 'uk', sla_policy: 'standard' } },
  agents: {
    ann: { cap: 1, answer_after: '5m', resolve_after: '5m' },
    bob: { cap: 1, skills: ['language:es'], answer_after: '20m', resolve_after: '5m' },
  },
};

test('a scenario gives assignments, waits and SLA outcomes', () => {
  const dir = tempDir();
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify({
    ...staffing,
    events: [
      { at: '+0m', type: 'arrive', conversation: 'c1' },
      { at: '+1m', type: 'arrive', conversation: 'c2', language: 'es' },
      { at: '+2m', type: 'arrive', conversation: 'c3' },
    ],
  }));
  const run = runParley(['simulate', '--scenario', file, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.conversations.c1.assignments[0], 'ann');
  assert.equal(report.conversations.c2.assignments[0], 'bob');
  assert.equal(report.conversations.c2.considered.ann, 'at cap 1/1');
  // c3 waits for ann, who resolves c1 at 09:10: answered at 09:15, on time.
  assert.equal(report.conversations.c3.wait_seconds, 480);
  assert.equal(report.conversations.c3.sla.first_response.met, true);
  assert.equal(report.conversations.c2.sla.first_response.met, false);  // bob takes 20 min
  assert.equal(report.summary.responses_met, 2);
  assert.equal(report.summary.responses_missed, 1);
  removeDir(dir);
});

test('an invalid scenario is refused with the field at fault', () => {
  const dir = tempDir();
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify({ ...staffing, agents: { ann: { cap: 1, skills: ['lang:es'] } } }));
  const run = runParley(['simulate', '--scenario', file, '--json']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /agents\.ann\.skills: "lang:es": expected language:es/);
  writeFileSync(file, '{"start": ');
  assert.equal(runParley(['simulate', '--scenario', file]).code, 2);
  removeDir(dir);
});

test('stored conversations replay against a scenario', () => {
  const dir = tempDir();
  const config = writeConfig(dir);
  const lines = [];
  for (let i = 0; i < 30; ++i) lines.push(review(`sim-${i}`, `user-${i % 12}`));
  const history = join(dir, 'history.jsonl');
  writeFileSync(history, lines.join('\n') + '\n');
  const imported = runParley(['import', '--format', 'generic', '--config', config, '--data', dir, history]);
  assert.equal(imported.code, 0, imported.stderr);

  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify({ ...staffing, until: '+30d' }));
  const run = runParley(['simulate', '--scenario', file, '--json', '--replay-data', dir,
    '--replay-team', 'care']);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.summary.conversations, 12);  // one open conversation per customer
  assert.equal(report.summary.assigned, 12);
  assert.equal(report.summary.resolved, 12);

  const empty = runParley(['simulate', '--scenario', file, '--replay-data', dir,
    '--from', '2001-01-01T00:00:00Z', '--to', '2001-01-02T00:00:00Z']);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /no stored conversation opened in that period/);
  removeDir(dir);
});
