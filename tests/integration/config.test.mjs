// Invalid configuration is refused at start with the exact key and the reason.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { removeDir, runParley, tempDir } from './harness.mjs';

function serveWith(toml, env = {}) {
  const dir = tempDir();
  const path = join(dir, 'bad.toml');
  writeFileSync(path, toml);
  const result = runParley(['serve', '--config', path, '--data', dir, '--port', '0'], env);
  removeDir(dir);
  return result;
}

test('an unknown key names the key', () => {
  const result = serveWith('[server]\nprot = 8080\n');
  assert.equal(result.code, 2);
  assert.match(result.stderr, /invalid configuration: server\.prot: unknown key/);
});

test('a value out of range names the key and the range', () => {
  const result = serveWith('[server]\nport = 99999\n');
  assert.equal(result.code, 2);
  assert.match(result.stderr, /server\.port: must be between 0 and 65535, got 99999/);
});

test('a bad environment override names the variable', () => {
  const result = serveWith('', { PARLEY_SERVER_THREADS: 'many' });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /server\.threads: expected an integer in PARLEY_SERVER_THREADS/);
});

test('a TOML syntax error gives the line', () => {
  const result = serveWith('[server\nport = 1\n');
  assert.equal(result.code, 2);
  assert.match(result.stderr, /line 1/);
});

test('every subcommand has help', () => {
  for (const command of ['serve', 'demo', 'migrate', 'import', 'bench', 'stats', 'version']) {
    const result = runParley([command, '--help']);
    assert.equal(result.code, 0, command);
    assert.match(result.stdout, /Usage:/, command);
  }
  const top = runParley(['--help']);
  assert.match(top.stdout, /serve[\s\S]*demo[\s\S]*migrate[\s\S]*import[\s\S]*bench[\s\S]*version/);
});
