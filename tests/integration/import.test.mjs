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
