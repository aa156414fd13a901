// Email on a running server. In: POST /webhooks/email; a customer's email opens a conversation
// with the visible reply, their answer to it (In-Reply-To) joins the same thread, a bounce opens
// nothing, and unsigned or unreadable mail is refused with the reason. Out: an agent's answer goes
// over SMTP to a real SMTP server (nodemailer's smtp-server, on loopback) threaded under the
// customer's message, and the customer's reply to it comes back into the same conversation.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { callApi, firstAdmin, login, postGeneric, removeDir, review, sign, startParley, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';
import { startSmtp } from './mail_peers.mjs';

let dir;
let parley;
let admin;
let smtp;
const delivered = [];  // {from, to, raw} as the SMTP server received them

async function postEmail(raw, { signature } = {}) {
  const response = await fetch(`${parley.url}/webhooks/email?account=help@acme.example`, {
    method: 'POST',
    headers: { 'content-type': 'message/rfc822', 'x-parley-signature': signature ?? sign(raw, 'mail-secret') },
    body: raw,
  });
  return { status: response.status, json: await response.json() };
}

const email = ({ id, inReplyTo, subject, text, from = 'Jane Doe <jane@example.com>', extra = '', date = 'Mon, 23 Nov 2026 09:00:00 +0000' }) => [
  `From: ${from}`, 'To: help@acme.example', `Subject: ${subject}`, `Message-ID: <${id}>`,
  ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}>`, `References: <${inReplyTo}>`] : []),
  `Date: ${date}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8',
  ...(extra ? [extra] : []), '', text, ''].join('\r\n');

before(async () => {
  smtp = await startSmtp((mail) => { delivered.push(mail); });
  dir = tempDir();
  const config = writeConfig(dir, `
[[channel_accounts]]
workspace = "acme"
kind = "email"
name = "Help desk"
platform_account_id = "help@acme.example"
api_base_url = "${smtp.url}"
credentials = { secret = "mail-secret" }
`);
  parley = await startParley({ dataDir: dir, config });
  admin = await login(parley.url, await firstAdmin(parley));
});

after(async () => {
  if (parley) await parley.stop();
  if (smtp) await smtp.stop();
  removeDir(dir);
});

test('an email opens a conversation and its reply joins the thread', async () => {
  const accounts = (await callApi(parley.url, admin, '/api/v1/channel-accounts')).json.items;
  assert.equal(accounts.find((a) => a.kind === 'email').webhook_path, '/webhooks/email?account=help@acme.example');
  const first = await postEmail(email({ id: 'm1@example.com', subject: 'Broken kettle', text: 'It leaks.\r\n\r\n-- \r\nJane' }));
  assert.equal(first.status, 202, JSON.stringify(first.json));
  const second = await postEmail(email({
    id: 'm2@example.com', inReplyTo: 'm1@example.com', subject: 'Re: Broken kettle',
    text: 'Any news?\r\n\r\nOn Mon, 23 Nov 2026, Jane Doe <jane@example.com> wrote:\r\n> It leaks.',
  }));
  assert.equal(second.status, 202);
  await waitUntilProcessed(parley.url);
  const workspace = (await callApi(parley.url, admin, '/api/v1/workspaces')).json.items[0].id;
  const list = await callApi(parley.url, admin, `/api/v1/conversations?workspace=${workspace}`);
  assert.equal(list.json.items.length, 1);
  const detail = await callApi(parley.url, admin, `/api/v1/conversations/${list.json.items[0].id}`);
  assert.deepEqual(detail.json.messages.map((m) => m.text), ['Broken kettle\n\nIt leaks.', 'Any news?']);
  assert.deepEqual(detail.json.conversation.channels, ['email']);
  assert.equal(detail.json.customer.identities[0].platform_user_id, 'jane@example.com');
  assert.equal(detail.json.customer.display_name, 'Jane Doe');
});

test('bounces open nothing; unsigned and unreadable mail is refused with the reason', async () => {
  const bounce = await postEmail(email({ id: 'b1@mx.example', subject: 'Undelivered Mail', text: 'sorry', from: 'MAILER-DAEMON@mx.example' }));
  assert.equal(bounce.status, 202);
  const outOfOffice = await postEmail(email({ id: 'o1@example.com', subject: 'Out of office', text: 'away', extra: 'Auto-Submitted: auto-replied' }));
  assert.equal(outOfOffice.status, 202);
  await waitUntilProcessed(parley.url);
  const workspace = (await callApi(parley.url, admin, '/api/v1/workspaces')).json.items[0].id;
  assert.equal((await callApi(parley.url, admin, `/api/v1/conversations?workspace=${workspace}`)).json.items.length, 1);

  const raw = email({ id: 'x@example.com', subject: 'x', text: 'x' });
  assert.equal((await postEmail(raw, { signature: 'sha256=00' })).status, 401);
  const unreadable = await postEmail('this is not an email at all');
  assert.equal(unreadable.status, 400);
  assert.match(unreadable.json.error.message, /RFC 5322/);
  const noSender = await postEmail('Subject: who?\r\n\r\nhello\r\n');
  assert.equal(noSender.status, 400);
  assert.match(noSender.json.error.message, /no sender/);
  await waitUntilProcessed(parley.url);
  const letters = (await callApi(parley.url, admin, '/api/v1/dead-letters')).json.items;
  assert.equal(letters.length, 2);
  assert.ok(letters.every((l) => l.channel === 'email'));
});

test('an answer goes out over SMTP in the thread, and the customer\'s reply comes back to it', async () => {
  const workspace = (await callApi(parley.url, admin, '/api/v1/workspaces')).json.items[0].id;
  const id = (await callApi(parley.url, admin, `/api/v1/conversations?workspace=${workspace}`)).json.items[0].id;
  const reply = await callApi(parley.url, admin, `/api/v1/conversations/${id}/replies`, {
    method: 'POST', body: { text: 'Sorry, Jane! A new kettle is on its way <3' },
  });
  assert.equal(reply.status, 202, JSON.stringify(reply.json));
  const deadline = Date.now() + 15_000;
  while (delivered.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(delivered.length, 1, 'the SMTP server received the answer');
  const mail = delivered[0];
  assert.equal(mail.from, 'help@acme.example');
  assert.deepEqual(mail.to, ['jane@example.com']);
  const headers = mail.raw.split('\r\n\r\n')[0];
  assert.match(headers, /^Subject: Re: Broken kettle$/m);
  assert.match(headers, /^In-Reply-To: <m2@example\.com>$/m);
  assert.match(headers, /^References: <m1@example\.com> <m2@example\.com>$/m);
  assert.match(mail.raw, /multipart\/alternative/);
  assert.match(mail.raw, /Content-Type: text\/html/);
  assert.match(mail.raw, /&lt;3/);
  const ours = /^Message-Id: <([^>]+)>$/mi.exec(headers)[1];

  let sent;
  while (!sent && Date.now() < deadline) {
    const detail = await callApi(parley.url, admin, `/api/v1/conversations/${id}`);
    sent = detail.json.messages.find((m) => m.direction === 'outbound' && m.delivery === 'sent');
    if (!sent) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(sent, 'the answer shows as sent');
  assert.equal(sent.platform_message_id, ours);

  const answer = await postEmail(email({ id: 'm3@example.com', inReplyTo: ours, subject: 'Re: Re: Broken kettle', text: 'Thank you!\r\n\r\n> Sorry, Jane!', date: new Date(Date.now() + 60_000).toUTCString() }));
  assert.equal(answer.status, 202);
  await waitUntilProcessed(parley.url);
  const after = await callApi(parley.url, admin, `/api/v1/conversations/${id}`);
  assert.equal(after.json.messages.at(-1).text, 'Thank you!');
  assert.equal((await callApi(parley.url, admin, `/api/v1/conversations?workspace=${workspace}`)).json.items.length, 1);
});

test('a public mention answered by moving to email continues as one thread', async () => {
  const workspace = (await callApi(parley.url, admin, '/api/v1/workspaces')).json.items[0].id;
  assert.equal((await postGeneric(parley.url, review('pub-1', 'sam', 'My order 77 never came, DM me'))).status, 202);
  await waitUntilProcessed(parley.url);
  const conversations = (await callApi(parley.url, admin, `/api/v1/conversations?workspace=${workspace}&sort=recent`)).json.items;
  const id = conversations.find((c) => c.channels.includes('generic')).id;
  const bad = await callApi(parley.url, admin, `/api/v1/conversations/${id}/replies`, { method: 'POST', body: { text: 'x', email: 'not an address' } });
  assert.equal(bad.status, 400);
  const before = delivered.length;
  const moved = await callApi(parley.url, admin, `/api/v1/conversations/${id}/replies`, {
    method: 'POST', body: { text: 'Sorry Sam, we have written to you by email.', email: 'sam@example.com' },
  });
  assert.equal(moved.status, 202, JSON.stringify(moved.json));
  assert.equal(moved.json.kind, 'direct_message');
  const deadline = Date.now() + 15_000;
  while (delivered.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const mail = delivered.at(-1);
  assert.deepEqual(mail.to, ['sam@example.com']);
  const headers = mail.raw.split('\r\n\r\n')[0];
  assert.match(headers, /^Subject: Your message to Acme$/m);
  assert.doesNotMatch(headers, /^In-Reply-To:/m);
  const ours = /^Message-Id: <([^>]+)>$/mi.exec(headers)[1];
  let detail;
  while (Date.now() < deadline) {
    detail = (await callApi(parley.url, admin, `/api/v1/conversations/${id}`)).json;
    if (detail.messages.some((m) => m.platform_message_id === ours)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(detail.messages.some((m) => m.platform_message_id === ours && m.channel === 'email'));

  const answer = await postEmail(email({ id: 'sam-1@example.com', inReplyTo: ours, subject: 'Re: Your message to Acme', text: 'Order 77, thanks.', from: 'Sam <sam@example.com>', date: new Date(Date.now() + 60_000).toUTCString() }));
  assert.equal(answer.status, 202);
  await waitUntilProcessed(parley.url);
  const thread = (await callApi(parley.url, admin, `/api/v1/conversations/${id}`)).json;
  assert.deepEqual(thread.messages.map((m) => m.channel), ['generic', 'email', 'email']);
  assert.equal(thread.messages.at(-1).text, 'Order 77, thanks.');
  assert.deepEqual(thread.conversation.channels, ['generic', 'email']);
});
