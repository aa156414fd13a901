// The customer panel (C4.4): who this is on every channel, their key-customer tier, how they
// have felt over time (the sentiment of their latest message in each conversation), every
// conversation they had with the brand on any channel (who handled it, how it ended), and the
// team's notes on them.
import { useEffect, useState } from 'react';

import { type Agent, api, type CustomerHistory } from '../api/client';
import { channelName, reach } from './format';

export function CustomerPanel({ customerId, agents, current, change, notes }: {
  customerId: string;
  agents: Agent[];  // the workspace's, as the conversation view has them
  current: string;
  change: number;
  notes: number;    // how many notes the open conversation has: a new one shows here too
}) {
  const [history, setHistory] = useState<CustomerHistory | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    api.customer(customerId).then(setHistory).catch((e: Error) => setError(e.message));
  }, [customerId, change, notes]);

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
          <SentimentOverTime points={history.conversations
            .filter((c) => typeof c.sentiment === 'number')
            .map((c) => ({ at: Date.parse(c.opened_at), value: c.sentiment as number, current: c.id === current }))
            .reverse()} />
          <h4>History ({history.conversations.length}{history.more ? '+' : ''})</h4>
          <ol className="history" aria-label="Conversations with this customer">
            {history.conversations.map((c) => (
              <li key={c.id} aria-current={c.id === current ? 'true' : undefined}>
                <span>{new Date(c.opened_at).toLocaleDateString()} · {c.channels.map(channelName).join(' → ')}</span>
                <span className="quiet-inline">
                  {c.id === current ? 'this conversation · ' : ''}{c.status.replaceAll('_', ' ')}
                  {c.resolution_code ? ` (${c.resolution_code.replaceAll('_', ' ')})` : ''} · {agentName(c.assignee_id)}
                </span>
                {typeof c.sentiment === 'number' ? <span className="quiet-inline">{feeling(c.sentiment)}</span> : null}
                {c.tags.length ? <span className="quiet-inline">{c.tags.slice(0, 4).join(', ')}</span> : null}
              </li>
            ))}
          </ol>
          <h4>Notes ({history.notes.length})</h4>
          {history.notes.length ? (
            <ul className="customer-notes" aria-label="Notes on this customer">
              {history.notes.map((n) => (
                <li key={n.id}><strong>{n.kind.replaceAll('_', ' ')}</strong> · {new Date(n.created_at).toLocaleDateString()}: {n.text}</li>
              ))}
            </ul>
          ) : <p className="quiet-inline">No notes yet.</p>}
        </>
      )}
    </aside>
  );
}

// How a sentiment score (1–10) reads: "unhappy", "neutral", "delighted".
export function mood(value: number) {
  return value <= 3.5 ? 'unhappy' : value < 5 ? 'a little unhappy' : value <= 6 ? 'neutral' : value < 8 ? 'content' : 'delighted';
}

// "sentiment 3.2/10, unhappy"
export function feeling(value: number) {
  return `sentiment ${value.toFixed(1)}/10, ${mood(value)}`;
}

// A line of the customer's sentiment from their first conversation to this one (1 at the
// bottom, 10 at the top, neutral dashed), with the words for screen readers.
function SentimentOverTime({ points }: { points: { at: number; value: number; current: boolean }[] }) {
  if (!points.length) return null;
  const width = 260;
  const height = 60;
  const x = (i: number) => (points.length === 1 ? width / 2 : 6 + (i * (width - 12)) / (points.length - 1));
  const y = (v: number) => 4 + ((10 - v) * (height - 8)) / 9;
  const last = points[points.length - 1]!;
  const first = points[0]!;
  const trend = points.length < 2 ? '' : last.value > first.value + 0.5 ? ', better than at first' : last.value < first.value - 0.5 ? ', worse than at first' : ', about the same as at first';
  return (
    <figure className="sentiment">
      <figcaption>Sentiment over time</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" height={height} role="img"
        aria-label={`Sentiment in ${points.length} conversation${points.length === 1 ? '' : 's'}: latest ${last.value.toFixed(1)} of 10${trend}`}>
        <line x1={0} x2={width} y1={y(5.5)} y2={y(5.5)} className="neutral" />
        {points.length > 1 && <polyline points={points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ')} className="trend" />}
        {points.map((p, i) => (
          <circle key={`${p.at}-${i}`} cx={x(i)} cy={y(p.value)} r={p.current ? 4.5 : 3}
            className={p.value <= 3.5 ? 'low' : p.value >= 7 ? 'high' : 'mid'} />
        ))}
      </svg>
    </figure>
  );
}
