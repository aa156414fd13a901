// The agent's inbox (C4.1): every conversation they may see, across brands and channels, most
// urgent first (priority, then the nearest deadline), with why it is there.
import { useEffect, useMemo, useState } from 'react';

import { api, type InboxItem, type Workspace } from '../api/client';
import { channelName, countdown, nextDeadline, reach } from './format';

// What the list shows: a brand, a channel, a status; saved under a name, per user, in this browser.
interface View {
  brand: string;   // workspace id, or '' for all
  channel: string; // '' for all
  status: string;  // 'open' (queued, assigned, waiting) or one status
}
const allOpen: View = { brand: '', channel: '', status: 'open' };
const allChannels = ['x', 'facebook', 'instagram', 'whatsapp', 'email', 'webchat', 'generic'];
const viewsKey = (user: string) => `parley.views.${user}`;

function loadViews(user: string): Record<string, View> {
  try {
    return JSON.parse(localStorage.getItem(viewsKey(user)) ?? '{}') as Record<string, View>;
  } catch {
    return {};
  }
}

type Row = InboxItem & {
  brand: string;
  due?: string;
};

export function Inbox({ user, selected, onSelect, change, onOrder }: {
  user: string;
  selected: string | null;
  onSelect: (id: string) => void;
  change: number;
  onOrder: (ids: string[]) => void;
}) {
  const [view, setView] = useState<View>(allOpen);
  const [views, setViews] = useState<Record<string, View>>(() => loadViews(user));
  const [viewName, setViewName] = useState('');
  const saveView = () => {
    const name = viewName.trim();
    if (!name) return;
    const next = { ...views, [name]: view };
    localStorage.setItem(viewsKey(user), JSON.stringify(next));
    setViews(next);
    setViewName('');
  };
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

  const shown = useMemo(() => rows.filter((r) =>
    (!view.brand || r.workspace_id === view.brand) &&
    (!view.channel || r.channels.includes(view.channel)) &&
    (view.status === 'open' || r.status === view.status)), [rows, view]);
  const sorted = useMemo(() => [...shown].sort((a, b) => b.priority - a.priority ||
    (a.due && b.due ? Date.parse(a.due) - Date.parse(b.due) : a.due ? -1 : b.due ? 1 : 0)), [shown]);
  useEffect(() => {
    onOrder(sorted.map((r) => r.id));
  }, [sorted, onOrder]);

  return (
    <nav className="inbox" aria-label="Inbox">
      <h2>Inbox <span className="count">{sorted.length}</span></h2>
      <form className="filters" aria-label="Filters" onSubmit={(e) => { e.preventDefault(); saveView(); }}>
        <div>
          <label htmlFor="filter-view">View</label>
          <select id="filter-view" value="" onChange={(e) => { const saved = views[e.target.value]; if (saved) setView(saved); else if (e.target.value === '*') setView(allOpen); }}>
            <option value="" disabled>Choose…</option>
            <option value="*">Everything open</option>
            {Object.keys(views).sort().map((name) => <option key={name} value={name}>{name}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="filter-brand">Brand</label>
          <select id="filter-brand" value={view.brand} onChange={(e) => setView({ ...view, brand: e.target.value })}>
            <option value="">All</option>
            {workspaces.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="filter-channel">Channel</label>
          <select id="filter-channel" value={view.channel} onChange={(e) => setView({ ...view, channel: e.target.value })}>
            <option value="">All</option>
            {allChannels.map((c) => <option key={c} value={c}>{channelName(c)}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={view.status} onChange={(e) => setView({ ...view, status: e.target.value })}>
            <option value="open">Open</option>
            <option value="queued">Queued</option>
            <option value="assigned">Assigned</option>
            <option value="waiting_on_customer">Waiting on customer</option>
          </select>
        </div>
        <div>
          <label htmlFor="filter-name">Save as</label>
          <input id="filter-name" value={viewName} onChange={(e) => setViewName(e.target.value)} placeholder="name" />
        </div>
        <button type="submit" disabled={!viewName.trim()}>Save view</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {!sorted.length && !error && (
        <p className="quiet">{rows.length ? 'Nothing matches this view.' : 'Nothing waiting. New mentions appear here as they arrive.'}</p>
      )}
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
                    <span className={`tier-label ${row.tier ?? 'tier2'}`}>{row.tier === 'tier1' ? 'Tier 1' : row.tier === 'noise' ? 'Noise' : 'Tier 2'}</span>
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
