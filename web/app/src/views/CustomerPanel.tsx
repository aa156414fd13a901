// The customer panel (C4.4): who this is on every channel, their key-customer tier, and every
// conversation they had with the brand on any channel — who handled it, how it ended.
import { useEffect, useState } from 'react';

import { type Agent, api, type CustomerHistory } from '../api/client';
import { channelName, reach } from './format';

export function CustomerPanel({ customerId, agents, current, change }: {
  customerId: string;
  agents: Agent[];  // the workspace's, as the conversation view has them
  current: string;
  change: number;
}) {
  const [history, setHistory] = useState<CustomerHistory | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    api.customer(customerId).then(setHistory).catch((e: Error) => setError(e.message));
  }, [customerId, change]);

  const agentName = (id: string | null | undefined) => (id ? agents.find((a) => a.id === id)?.display_name ?? 'an agent' : 'nobody yet');
  return (
    <aside className="customer" aria-label="Customer">
      <h3>Customer</h3>
      {error && <p className="error" role="alert">{error}</p>}
      {history && (
        <>
          <p className="name">
            {history.customer.display_name || history.customer.identities[0]?.handle || 'Unknown'}
            {history.customer.key_customer_tier ? <span className="key">{history.customer.key_customer_tier}</span> : null}
          </p>
          <ul className="identities" aria-label="Identities">
            {history.customer.identities.map((identity) => (
              <li key={`${identity.channel}:${identity.platform_user_id}`}>
                <strong>{channelName(identity.channel)}</strong> {identity.handle || identity.platform_user_id}
                {identity.followers ? ` · ${reach(identity.followers)} followers` : ''}
                {identity.verified ? ' · verified' : ''}
              </li>
            ))}
          </ul>
          <h4>History ({history.conversations.length}{history.more ? '+' : ''})</h4>
          <ol className="history" aria-label="Conversations with this customer">
            {history.conversations.map((c) => (
              <li key={c.id} aria-current={c.id === current ? 'true' : undefined}>
                <span>{new Date(c.opened_at).toLocaleDateString()} · {c.channels.map(channelName).join(' → ')}</span>
                <span className="quiet-inline">
                  {c.id === current ? 'this conversation · ' : ''}{c.status.replaceAll('_', ' ')}
                  {c.resolution_code ? ` (${c.resolution_code.replaceAll('_', ' ')})` : ''} · {agentName(c.assignee_id)}
                </span>
                {c.tags.length ? <span className="quiet-inline">{c.tags.slice(0, 4).join(', ')}</span> : null}
              </li>
            ))}
          </ol>
        </>
      )}
    </aside>
  );
}
