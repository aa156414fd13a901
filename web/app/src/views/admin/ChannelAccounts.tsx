// Admin: the brand's channel accounts and what connecting each on its platform takes: the URL the
// platform delivers to (this server's address as the admin reaches it, plus the account's path)
// and each credential: the ones Parley's side chose are shown on request, to paste into the
// platform; the platform's own (app secrets, tokens) are only said to be set or missing.
// Accounts are declared in the configuration file (docs/configuration.md).
import { useEffect, useState } from 'react';

import { api, type AccountSetup, type ChannelAccount } from '../../api/client';
import { channelName } from '../format';
import { failure, type Message, Notice } from './common';

export function ChannelAccounts({ workspace }: { workspace: string }) {
  const [accounts, setAccounts] = useState<ChannelAccount[]>([]);
  const [message, setMessage] = useState<Message>(null);

  useEffect(() => {
    api.channelAccounts().then((a) => setAccounts(a.items.filter((x) => x.workspace_id === workspace))).catch((e) => setMessage(failure(e)));
  }, [workspace]);

  return (
    <section className="admin" aria-labelledby="accounts-title">
      <header className="admin-head">
        <h2 id="accounts-title">Channel accounts</h2>
      </header>
      <p className="hint">Accounts are declared in the configuration file (<code>[[channel_accounts]]</code>); each needs its
        webhook URL registered on its platform.</p>
      <Notice message={message} />
      {accounts.map((account) => <AccountCard key={account.id} account={account} />)}
      {!accounts.length && <p className="quiet">This brand has no channel accounts yet.</p>}
    </section>
  );
}

function AccountCard({ account }: { account: ChannelAccount }) {
  const [setup, setSetup] = useState<AccountSetup | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const id = `account-${account.id}`;
  const url = `${window.location.origin}${account.webhook_path}`;
  const isChat = account.kind === 'webchat';

  const reveal = () => api.accountSetup(account.id).then(setSetup).catch((e) => setMessage(failure(e)));

  return (
    <article className="card" aria-labelledby={id}>
      <h3 id={id}>{account.name} <span className="quiet-inline">{channelName(account.kind)} · {account.platform_account_id}</span>
        {!account.enabled && <span className="status"> disabled</span>}</h3>
      <dl className="facts">
        <div>
          <dt>{isChat ? 'Widget connects to' : 'Webhook URL'}</dt>
          <dd><CopyField label={`${isChat ? 'Widget URL' : 'Webhook URL'} of ${account.name}`} value={isChat ? url.replace(/^http/, 'ws') : url} /></dd>
        </div>
        {isChat && (
          <div>
            <dt>Embed on the site</dt>
            <dd><CopyField label={`Embed code of ${account.name}`}
              value={`<script src="${window.location.origin}/chat/widget.js" data-account="${account.platform_account_id}" async></script>`} /></dd>
          </div>
        )}
        <div>
          <dt>Credentials set</dt>
          <dd>{account.credentials_set.length ? account.credentials_set.join(', ') : 'none'}</dd>
        </div>
      </dl>
      <Notice message={message} />
      {setup ? (
        <table>
          <caption className="sr-only">Credentials of {account.name}</caption>
          <thead><tr><th scope="col">Credential</th><th scope="col">State</th><th scope="col">Where it goes</th></tr></thead>
          <tbody>
            {setup.credentials.map((c) => (
              <tr key={c.name}>
                <td><code>{c.name}</code></td>
                <td>{c.set ? (c.share && c.value ? <CopyField label={`${c.name} of ${account.name}`} value={c.value} /> : 'set') : <span className="error">missing</span>}</td>
                <td>{c.share ? 'Paste into ' : 'From '}{c.where}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <button type="button" onClick={() => void reveal()}>Show set-up</button>
      )}
    </article>
  );
}

// A value to copy into another system: read-only, selected on focus, with a copy button.
function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(value).then(() => setCopied(true)).catch(() => setCopied(false));
  };
  return (
    <span className="copy">
      <input readOnly value={value} aria-label={label} onFocus={(e) => e.target.select()} size={Math.min(value.length, 60)} />
      <button type="button" className="link" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
    </span>
  );
}
