// Email against real mail servers: Dovecot (IMAP) holds the support mailbox and the customer's,
// an SMTP server on loopback hands what Parley sends to Dovecot's delivery agent. Parley reads
// the support mailbox over IMAP with IDLE, threads what arrives, and its answers land in the
// customer's mailbox with the headers a mail client threads by; a reply to the reply address, a
// bounce, a message too large and a restart are each handled as a person would expect.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { callApi, eventually, firstAdmin, login, removeDir, startParley, tempDir, waitUntilProcessed, writeConfig } from './harness.mjs';
import { dovecotUnavailable, startDovecot, startSmtp } from './mail_peers.mjs';

const unavailable = dovecotUnavailable();
const mailbox = 'help@acme.example';
const customer = 'jane@example.com';

let dir;
let config;
let dovecot;
let smtp;
let parley;
let admin;
let credentials;
let workspace;
const sent = [];  // what the SMTP server received

const conversations = async () =>
  (await callApi(parley.url, admin, `/api/v1/conversations?workspace=${workspace}&sort=recent`)).json.items;
const thread = async (id) => (await callApi(parley.url, admin, `/api/v1/conversations/${id}`)).json;

const email = ({ id, to = mailbox, inReplyTo, subject, body, from = `Jane Doe <${customer}>`, headers = [], type = 'text/plain; charset=UTF-8' }) => [
  `From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Message-ID: <${id}>`,
  ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}>`, `References: <${inReplyTo}>`] : []),
  `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0', `Content-Type: ${type}`, ...headers, '', body, ''].join('\r\n');

before(async () => {
  if (unavailable) return;
  dovecot = await startDovecot();
  smtp = await startSmtp(async (mail) => {
    sent.push(mail);
    for (const to of mail.to) await dovecot.deliver(to, mail.raw);
  });
  dir = tempDir();
  // A poll once a day: mail that arrives while Parley waits can only come through IDLE.
  config = writeConfig(dir, `
[email]
idle_seconds = 1740
poll_seconds = 86400
max_message_bytes = 65536

[[channel_accounts]]
workspace = "acme"
kind = "email"
name = "Acme Help"
platform_account_id = "${mailbox}"
api_base_url = "${smtp.url}"
inbound_url = "${dovecot.url}/INBOX"
credentials = { imap_password = "mailbox-secret" }
`);
  parley = await startParley({ dataDir: dir, config });
  credentials = await firstAdmin(parley);
  admin = await login(parley.url, credentials);
  workspace = (await callApi(parley.url, admin, '/api/v1/workspaces')).json.items[0].id;
});

after(async () => {
  if (parley) await parley.stop();
  if (smtp) await smtp.stop();
  if (dovecot) await dovecot.stop();
  if (dir) removeDir(dir);
});

let conversationId;

test('mail delivered to the mailbox opens a conversation, attachments and all', { skip: unavailable ?? false }, async () => {
  const photo = Buffer.from('a photo of a leaking kettle').toString('base64');
  await dovecot.deliver(mailbox, email({
    id: 'k1@example.com', subject: 'Broken kettle', type: 'multipart/mixed; boundary="b"',
    body: ['--b', 'Content-Type: text/plain; charset=UTF-8', '', 'It leaks.', '', '-- ', 'Jane',
      '--b', 'Content-Type: image/jpeg', 'Content-Disposition: attachment; filename="kettle.jpg"',
      'Content-Transfer-Encoding: base64', '', photo, '--b--'].join('\r\n'),
  }));
  const conversation = await eventually('the conversation', async () => (await conversations()).at(0));
  conversationId = conversation.id;
  const detail = await thread(conversationId);
  const [message] = detail.messages;
  assert.equal(message.text, 'Broken kettle\n\nIt leaks.');
  assert.equal(message.channel, 'email');
  assert.equal(message.platform_message_id, 'k1@example.com');
  assert.deepEqual(message.attachments.map((a) => [a.name, a.mime_type]), [['kettle.jpg', 'image/jpeg']]);
  const download = await fetch(`${parley.url}/api/v1/messages/${message.id}/attachments/0`, { headers: { cookie: admin.cookie } });
  assert.equal(download.status, 200);
  assert.equal(download.headers.get('content-type'), 'image/jpeg');
  assert.match(download.headers.get('content-disposition'), /attachment; filename="kettle\.jpg"/);
  assert.equal(Buffer.from(await download.arrayBuffer()).toString(), 'a photo of a leaking kettle');
  // Taken once: the server holds it flagged, so nothing reads it twice.
  await eventually('the message flagged as taken', async () =>
    /SEARCH 1/.test(await dovecot.imap(mailbox, 'INBOX', 'UID SEARCH KEYWORD $Parley')));
});

test('a reply arriving while Parley waits comes through IDLE into the same thread', { skip: unavailable ?? false }, async () => {
  await dovecot.deliver(mailbox, email({
    id: 'k2@example.com', inReplyTo: 'k1@example.com', subject: 'Re: Broken kettle',
    body: 'Any news?\r\n\r\nOn Mon, 23 Nov 2026, Acme Help <help@acme.example> wrote:\r\n> We are on it.',
  }));
  const detail = await eventually('the reply', async () => {
    const d = await thread(conversationId);
    return d.messages.length === 2 && d;
  });
  assert.equal(detail.messages[1].text, 'Any news?');
  assert.equal((await conversations()).length, 1);
});

let answerId;

test('the answer lands in the customer\'s mailbox with the headers mail clients thread by', { skip: unavailable ?? false }, async () => {
  const reply = await callApi(parley.url, admin, `/api/v1/conversations/${conversationId}/replies`, {
    method: 'POST', body: { text: 'Sorry, Jane: a new kettle is on its way.' },
  });
  assert.equal(reply.status, 202, JSON.stringify(reply.json));
  const listing = await eventually('the answer in Jane\'s mailbox', async () => {
    const text = await dovecot.imap(customer, 'INBOX', 'UID SEARCH ALL').catch(() => '');
    return /SEARCH \d/.test(text) && text;
  });
  assert.match(listing, /SEARCH 1/);
  const raw = await dovecot.imap(customer, 'INBOX;UID=1');
  const headers = raw.split('\r\n\r\n')[0];
  assert.match(headers, /^From: Acme Help <help@acme\.example>$/m);
  assert.match(headers, /^To: jane@example\.com$/m);
  assert.match(headers, /^Subject: Re: Broken kettle$/m);
  assert.match(headers, /^In-Reply-To: <k2@example\.com>$/m);
  assert.match(headers, /^References: <k1@example\.com> <k2@example\.com>$/m);
  assert.match(raw, /multipart\/alternative/);
  const ours = /^Message-Id: <(parley\.\d+\.[0-9a-f]+@acme\.example)>$/mi.exec(headers);
  assert.ok(ours, headers);
  answerId = ours[1];
  const token = answerId.slice('parley.'.length, answerId.indexOf('@'));
  assert.match(headers, new RegExp(`^Reply-To: Acme Help <help\\+${token.replace('.', '\\.')}@acme\\.example>$`, 'm'));
  await eventually('the answer shown as sent', async () =>
    (await thread(conversationId)).messages.some((m) => m.platform_message_id === answerId && m.delivery === 'sent'));
});

test('a reply to the reply address joins the thread when the client dropped In-Reply-To', { skip: unavailable ?? false }, async () => {
  const token = answerId.slice('parley.'.length, answerId.indexOf('@'));
  await dovecot.deliver(mailbox, email({
    id: 'k3@example.com', to: `Acme Help <help+${token}@acme.example>`, subject: 'Re: Broken kettle',
    body: 'Thank you, it arrived.',
  }));
  await eventually('the thanks in the thread', async () =>
    (await thread(conversationId)).messages.some((m) => m.text === 'Thank you, it arrived.'));
  assert.equal((await conversations()).length, 1);
});

test('a bounce of the answer shows it failed, with the server\'s reason; it opens nothing', { skip: unavailable ?? false }, async () => {
  const bounce = email({
    id: 'bounce-1@mx.example.com', from: 'Mail Delivery System <MAILER-DAEMON@mx.example.com>',
    subject: 'Undelivered Mail Returned to Sender',
    type: 'multipart/report; report-type=delivery-status; boundary="r"',
    body: ['--r', 'Content-Type: text/plain', '', 'Your message could not be delivered.',
      '--r', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example.com', '',
      'Final-Recipient: rfc822; jane@example.com', 'Action: failed', 'Status: 5.2.2',
      'Diagnostic-Code: smtp; 552 5.2.2 mailbox full',
      '--r', 'Content-Type: text/rfc822-headers', '', 'From: help@acme.example', `Message-ID: <${answerId}>`, '--r--'].join('\r\n'),
  });
  await dovecot.deliver(mailbox, bounce);
  const failed = await eventually('the answer marked failed', async () =>
    (await thread(conversationId)).messages.find((m) => m.platform_message_id === answerId && m.delivery === 'failed'));
  assert.equal(failed.delivery_error, '552 5.2.2 mailbox full');
  assert.equal((await conversations()).length, 1);
});

test('a message larger than the limit is kept as a dead letter that says why', { skip: unavailable ?? false }, async () => {
  await dovecot.deliver(mailbox, email({ id: 'huge@example.com', subject: 'Scans', body: 'x'.repeat(100_000) }));
  const letter = await eventually('the dead letter', async () =>
    (await callApi(parley.url, admin, '/api/v1/dead-letters')).json.items.find((l) => l.channel === 'email'));
  assert.match(letter.error, /bytes, more than email\.max_message_bytes \(65536\); only its header was stored/);
});

test('after a restart nothing is taken twice and new mail still comes in', { skip: unavailable ?? false }, async () => {
  await waitUntilProcessed(parley.url);
  const before = (await thread(conversationId)).messages.length;
  await parley.stop();
  parley = await startParley({ dataDir: dir, config });
  admin = await login(parley.url, credentials);
  await dovecot.deliver(mailbox, email({ id: 'k4@example.com', inReplyTo: 'k2@example.com', subject: 'Re: Broken kettle', body: 'One more thing.' }));
  const detail = await eventually('the new mail after the restart', async () => {
    const d = await thread(conversationId);
    return d.messages.some((m) => m.text === 'One more thing.') && d;
  });
  assert.equal(detail.messages.length, before + 1);
  assert.equal((await conversations()).length, 1);
});
