// Starts the real parley binary for integration tests: a fresh data directory, a free loopback
// port (the server binds port 0 and prints the one it got), and helpers to sign webhooks.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const binary = process.env.PARLEY_BINARY ?? 'build/debug/parley';

export function tempDir(prefix = 'parley-it-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// Acme's generic source "reviews", signed with "test-secret" (what postGeneric signs with).
export const reviewsAccount = `
[[channel_accounts]]
workspace = "acme"
kind = "generic"
platform_account_id = "reviews"
credentials = { secret = "test-secret" }
`;

// A configuration with one workspace and one generic channel account.
export function writeConfig(dir, extra = '') {
  const path = join(dir, 'parley.toml');
  writeFileSync(path, `
[[workspaces]]
slug = "acme"
name = "Acme"
${reviewsAccount}${extra}`);
  return path;
}

export const secret = 'test-secret';

// A second brand for writeConfig's extra: the workspace globex with its generic account
// globex-reviews.
export const globexConfig = `
[[workspaces]]
slug = "globex"
name = "Globex"

[[channel_accounts]]
workspace = "globex"
kind = "generic"
platform_account_id = "globex-reviews"
credentials = { secret = "test-secret" }
`;

export function sign(body, key = secret) {
  return 'sha256=' + createHmac('sha256', key).update(body).digest('hex');
}

// A configuration whose workspace "acme" has a routing file (teams, agents, SLA policies: the
// shape of docs/simulation.md's scenarios), with `extra` TOML after it (channel accounts).
export function writeRoutedConfig(dir, routing, extra = '') {
  const routingPath = join(dir, 'routing.json');
  writeFileSync(routingPath, JSON.stringify(routing));
  const path = join(dir, 'parley.toml');
  writeFileSync(path, `
[[workspaces]]
slug = "acme"
name = "Acme"
routing = "${routingPath}"
${extra}`);
  return path;
}

export function review(id, user = 'u1', text = 'My parcel never arrived') {
  return JSON.stringify({ id, kind: 'review', text, author: { id: user, handle: user } });
}

// Starts `parley serve` (or another subcommand) and resolves once it listens.
export function startParley({ args = [], env = {}, dataDir, config } = {}) {
  const fullArgs = [...(args.length ? args : ['serve']), '--port', '0'];
  if (dataDir) fullArgs.push('--data', dataDir);
  if (config) fullArgs.push('--config', config);
  const child = spawn(binary, fullArgs, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`parley did not start:\n${stderr}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))\//.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          port: Number(match[2]),
          child,
          exited,
          stdout: () => stdout,
          stderr: () => stderr,
          async stop(signal = 'SIGTERM') {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`parley exited with ${code} before listening:\n${stderr}`));
    });
  });
}

// Runs a parley subcommand to completion.
export function runParley(args, env = {}) {
  const result = spawnSync(binary, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function stats(dataDir) {
  const result = runParley(['stats', '--data', dataDir]);
  if (result.code !== 0) throw new Error(`parley stats failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export async function postGeneric(url, body, { account = 'reviews', signature } = {}) {
  const response = await fetch(`${url}/webhooks/generic?account=${account}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-parley-signature': signature ?? sign(body) },
    body,
  });
  return { status: response.status, json: await response.json() };
}

// Polls `check` until it gives something truthy (which it returns), or fails naming `what`.
export async function eventually(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// Polls /healthz until the inbox has nothing pending.
export async function waitUntilProcessed(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await (await fetch(`${url}/healthz`)).json();
    if (health.inbox.pending === 0) return health;
    if (Date.now() > deadline) throw new Error(`inbox still has ${health.inbox.pending} pending`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? Number(line.split(' ')[1]) : undefined;
}

// Creates a user with `parley user create` (the password on standard input).
export function createUser({ config, dataDir, email, role, password }) {
  const result = spawnSync(binary, ['user', 'create', '--config', config, '--data', dataDir,
    '--email', email, '--role', role, '--password-stdin'], { input: password + '\n', encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`parley user create failed: ${result.stderr}`);
}

// Logs in; returns the session cookie ("name=value") and the CSRF token.
export async function login(url, { email, password }) {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${text}`);
  const body = JSON.parse(text);
  return { cookie: response.headers.get('set-cookie').split(';')[0], csrf: body.csrf_token, user: body.user,
    setCookie: response.headers.get('set-cookie') };
}

// The first admin's login, printed by the server on its first start (maybe in a later chunk).
export async function firstAdmin(parley) {
  for (let i = 0; i < 100; i += 1) {
    const printed = /log in as (\S+) with the password (\S+) /.exec(parley.stdout());
    if (printed) return { email: printed[1], password: printed[2] };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the first admin's login was not printed:\n${parley.stdout()}`);
}

// GET /api/v1/events as a WebSocket with its messages in a queue: next() waits for one,
// until(predicate) for the first that matches (dropping the others).
export function connectEvents(url, query = '', headers = {}) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/events${query}`, { headers });
  const inbox = [];
  const waiting = [];
  ws.onmessage = (m) => {
    const message = JSON.parse(m.data);
    if (waiting.length) waiting.shift()(message); else inbox.push(message);
  };
  const opened = new Promise((resolve) => {
    ws.onopen = () => resolve(true);
    ws.onerror = () => resolve(false);
  });
  const next = (timeoutMs = 10_000) => {
    if (inbox.length) return Promise.resolve(inbox.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
      waiting.push((m) => { clearTimeout(timer); resolve(m); });
    });
  };
  return {
    ws,
    opened,
    next,
    async until(predicate, timeoutMs = 10_000) {
      for (;;) {
        const message = await next(timeoutMs);
        if (predicate(message)) return message;
      }
    },
    pending: () => inbox.length,
  };
}

// The configuration of an X account of workspace "acme" whose API is `base` (a FakeX), with
// replies polled quickly: what the tests that send replies share.
export function xAccountConfig({ brand, consumerSecret, accessToken, base }) {
  return `
[outbound]
poll_interval_ms = 100

[[channel_accounts]]
workspace = "acme"
kind = "x"
name = "@AcmeHelp"
platform_account_id = "${brand}"
api_base_url = "${base}"
credentials = { consumer_secret = "${consumerSecret}", access_token = "${accessToken}" }
`;
}

// Now, as X writes it: "Mon Nov 23 08:00:00 +0000 2026".
export function twitterDate(date = new Date()) {
  const [day, , month, , time] = date.toUTCString().replace(',', '').split(' ');
  return `${day} ${month} ${String(date.getUTCDate()).padStart(2, '0')} ${time} +0000 ${date.getUTCFullYear()}`;
}

// Posts one mention of the brand as X's Account Activity webhook delivers it, signed; answers the
// HTTP status.
export async function postXMention(url, { brand, consumerSecret, id, user, text, followers = 40 }) {
  const body = JSON.stringify({
    for_user_id: brand,
    tweet_create_events: [{
      id_str: id, text, created_at: twitterDate(),
      user: { id_str: user, screen_name: `user${user}`, name: `User ${user}`, followers_count: followers },
    }],
  });
  const signature = 'sha256=' + createHmac('sha256', consumerSecret).update(body).digest('base64');
  const delivered = await fetch(`${url}/webhooks/x`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature }, body,
  });
  return delivered.status;
}

// One API request as a logged-in user: the session cookie, and for a change the CSRF token
// (unless `csrf` is false). Answers the status and the JSON body ({text} when it is not JSON).
export async function callApi(url, session, path, { method = 'GET', body, raw, csrf = true, type = 'application/json' } = {}) {
  const headers = { cookie: session.cookie };
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = session.csrf;
  if (body !== undefined || raw !== undefined) headers['content-type'] = type;
  const response = await fetch(`${url}${path}`, {
    method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { text }; }
  return { status: response.status, json };
}
