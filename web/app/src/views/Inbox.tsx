// The agent's inbox (C4.1): every conversation they may see, across brands and channels, most
// urgent first (priority, then the nearest deadline), with why it is there.
import { useEffect, useMemo, useState } from 'react';

import { api, type InboxItem, type Workspace } from '../api/client';
import { channelName, countdown, nextDeadline, reach } from './format';

type Row = InboxItem & {
  brand: string;
  due?: string;
};

export function Inbox({ selected, onSelect, change, onOrder }: {
  selected: string | null;
  onSelect: (id: string) => void;
  change: number;
  onOrder: (ids: string[]) => void;
}) {
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState('');
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    api.workspaces().then((w) => setWorkspaces(w.items)).catch((e: Error) => setError(e.message));
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    if (!workspaces.length) return;
    let cancelled = false;
    // Coalesces a burst of events into one reload.
    const timer = setTimeout(async () => {
      try {
        const pages = await Promise.all(workspaces.map((w) => api.conversations(w.id).then((p) => p.items.map((c) => ({
          ...c, brand: w.name, due: nextDeadline(c),
        })))));
        if (!cancelled) {
          setRows(pages.flat().filter((c) => c.status !== 'resolved' && c.status !== 'closed'));
          setError('');
        }
      } catch (e) {
        if (!cancelled) setError((e as Error).message);
      }
    }, 100);
    return () => { cancelled = true; clearTimeout(timer); };
  }, [workspaces, change]);

  const sorted = useMemo(() => [...rows].sort((a, b) => b.priority - a.priority ||
    (a.due && b.due ? Date.parse(a.due) - Date.parse(b.due) : a.due ? -1 : b.due ? 1 : 0)), [rows]);
  useEffect(() => {
    onOrder(sorted.map((r) => r.id));
  }, [sorted, onOrder]);

  return (
    <nav className="inbox" aria-label="Inbox">
      <h2>Inbox <span className="count">{sorted.length}</span></h2>
      {error && <p className="error" role="alert">{error}</p>}
      {!sorted.length && !error && <p className="quiet">Nothing waiting. New mentions appear here as they arrive.</p>}
      <ol>
        {sorted.map((row) => {
          const due = countdown(row.due, now);
          return (
            <li key={row.id}>
              <button type="button" className={row.id === selected ? 'row selected' : 'row'} aria-current={row.id === selected ? 'true' : undefined}
                onClick={() => onSelect(row.id)} data-conversation={row.id}>
                <span className={`priority ${row.tier ?? 'tier2'}`} title={`Priority ${row.priority} of 100, ${row.tier === 'tier1' ? 'tier 1' : row.tier === 'noise' ? 'noise' : 'tier 2'}`}>{row.priority}</span>
                <span className="summary">
                  <span className="line">
                    <strong>{row.customer?.display_name || row.customer?.handle || 'Customer'}</strong>
                    {row.customer?.followers ? <span className="reach" title="Followers">{reach(row.customer.followers)}</span> : null}
                    {row.customer?.key_customer_tier ? <span className="key">{row.customer.key_customer_tier}</span> : null}
                  </span>
                  <span className="line">
                    <span className="channels">{row.channels.map(channelName).join(' → ')}</span>
                    <span className="brand">{row.brand}</span>
                    <span className={`status status-${row.status}`}>{row.status.replaceAll('_', ' ')}</span>
                  </span>
                  <span className="why">{(row.priority_reasons ?? []).slice(0, 3).join(' · ') || 'no particular reason'}</span>
                </span>
                {due && <span className={due.late ? 'due late' : 'due'}>{due.text}</span>}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
