// Nothing lost, nothing twice: SIGKILL the server in the middle of a stream of deliveries, restart
// it, and check that every acknowledged payload was kept exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  metric, postGeneric, removeDir, review, startParley, stats, tempDir, waitUntilProcessed,
  writeConfig,
} from './harness.mjs';

test('a SIGKILL mid-stream loses no acknowledged payload and duplicates none', async (t) => {
  const dir = tempDir();
  const config = writeConfig(dir);
  const servers = [];
  t.after(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    removeDir(dir);
  });
  const first = await startParley({ dataDir: dir, config });
  servers.push(first);

  const total = 3000;
  const concurrency = 48;
  const acked = new Set();
  let next = 0;
  let killed = false;
  const sender = async () => {
    while (next < total) {
      const i = next++;
      if (i === 1200 && !killed) {
        killed = true;
        first.child.kill('SIGKILL');  // requests are in flight on other senders
      }
      try {
        const { status } = await postGeneric(first.url, review(`m-${i}`, `user-${i % 97}`));
        if (status === 202) acked.add(i);
      } catch {
        // refused or cut off by the kill: not acknowledged, so the platform would retry it
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  await first.exited;
  assert.ok(acked.size >= 1000, `only ${acked.size} deliveries were acknowledged before the kill`);

  // Restart: what was stored but not processed is processed now.
  const second = await startParley({ dataDir: dir, config });
  servers.push(second);
  await waitUntilProcessed(second.url);
  const afterRestart = await (await fetch(`${second.url}/healthz`)).json();
  assert.equal(afterRestart.inbox.dead_letters, 0);

  // The platform retries everything it saw acknowledged: every one must be a duplicate. (The
  // restart itself may have found some: payloads whose message was committed just before the
  // kill but not yet marked processed.)
  const duplicatesBefore = (await metric(second.url, 'parley_ingest_duplicates_total')) ?? 0;
  for (const i of acked) {
    const { status } = await postGeneric(second.url, review(`m-${i}`, `user-${i % 97}`));
    assert.equal(status, 202);
  }
  await waitUntilProcessed(second.url);
  assert.equal(
    (await metric(second.url, 'parley_ingest_duplicates_total')) - duplicatesBefore, acked.size,
    'an acknowledged payload was missing after the restart');
  await second.stop();

  const { stored, inbox } = stats(dir);
  assert.ok(stored.message >= acked.size);
  assert.ok(stored.message <= total);
  // Every stored payload was processed once into at most one message (platform ids are unique).
  assert.equal(inbox.pending, 0);
  assert.equal(stored.message, inbox.processed - acked.size);
});
