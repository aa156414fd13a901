// Real mail servers for the email tests, on loopback, with throwaway configurations:
//   - Dovecot (IMAP), started from its own config file in a temporary directory; mail is delivered
//     into its mailboxes by Dovecot's own delivery agent (dovecot-lda), and read back over IMAP
//     with curl, as a mail client would;
//   - an SMTP server (nodemailer's smtp-server) that hands what it receives to a callback (or to
//     Dovecot's delivery agent, so that an answer lands in the recipient's mailbox).
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { SMTPServer } from 'smtp-server';

const run = promisify(execFile);

export const mailPassword = 'mailbox-secret';  // no spaces: Dovecot's static passdb splits its args

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Why Dovecot cannot run here, or null.
export function dovecotUnavailable() {
  if (!fs.existsSync('/usr/sbin/dovecot')) return 'dovecot is not installed (scripts/install-deps.sh installs dovecot-imapd)';
  if (process.getuid && process.getuid() !== 0) return 'Dovecot\'s mail user needs the tests to run as root here';
  return null;
}

export async function startDovecot() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dovecot-'));
  fs.chmodSync(root, 0o755);  // Dovecot's processes run as the dovecot user
  for (const sub of ['run', 'state', 'mail']) fs.mkdirSync(path.join(root, sub));
  await run('chown', ['dovecot:dovecot', path.join(root, 'mail')]);
  const port = await freePort();
  const config = path.join(root, 'dovecot.conf');
  fs.writeFileSync(config, `
base_dir = ${root}/run
state_dir = ${root}/state
log_path = ${root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
first_valid_uid = 1
mail_location = maildir:${root}/mail/%u
auth_mechanisms = plain login
passdb {
  driver = static
  args = password=${mailPassword}
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${root}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
default_login_user = dovecot
default_internal_user = dovecot
`);
  // The master goes to the background; its output goes to its log, not to pipes we would wait on.
  await new Promise((resolve, reject) => {
    const master = spawn('/usr/sbin/dovecot', ['-c', config], { stdio: 'ignore' });
    master.on('error', reject);
    master.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dovecot exited with ${code}`))));
  });
  // Ready once the port answers with the greeting.
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await new Promise((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('data', (data) => { socket.destroy(); data.toString().startsWith('* OK') ? resolve() : reject(new Error(String(data))); });
        socket.once('error', reject);
      });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`Dovecot did not start: ${error.message}\n${fs.readFileSync(path.join(root, 'dovecot.log'), 'utf8')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const url = `imap://127.0.0.1:${port}`;
  return {
    port,
    url,
    root,
    // Delivers a raw message into `user`'s INBOX as the mail server's delivery agent would.
    async deliver(user, raw) {
      await new Promise((resolve, reject) => {
        const lda = spawn('/usr/lib/dovecot/dovecot-lda', ['-c', config, '-d', user], { stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        lda.stderr.on('data', (d) => { stderr += d; });
        lda.on('error', reject);
        lda.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dovecot-lda ${code}: ${stderr}`))));
        lda.stdin.end(raw);
      });
    },
    // IMAP, as a mail client: curl speaks it.
    async imap(user, mailboxPath, request) {
      const args = ['-s', '--user', `${user}:${mailPassword}`, `${url}/${mailboxPath}`];
      if (request) args.push('-X', request);
      const { stdout } = await run('curl', args, { maxBuffer: 16 << 20 });
      return stdout;
    },
    async stop() {
      await run('/usr/bin/doveadm', ['-c', config, 'stop']).catch(() => {});
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

// An SMTP server on loopback: `onMail({from, to, raw})` for each message received.
export async function startSmtp(onMail) {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        Promise.resolve(onMail({
          from: session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })).then(() => callback(), (error) => callback(error));
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${server.server.address().port}`,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
