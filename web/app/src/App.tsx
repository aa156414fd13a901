// The app's shell: who is logged in, the live connection, and the agent's inbox beside the open
// conversation.
import { useCallback, useEffect, useRef, useState } from 'react';

import { api, ApiError, type User } from './api/client';
import { connectEvents, type EventsConnection, type LiveEvent } from './api/events';
import { Admin, mayAdminister } from './views/admin/Admin';
import { ConversationView } from './views/ConversationView';
import { HelpOverlay } from './views/HelpOverlay';
import { Inbox } from './views/Inbox';
import { Login } from './views/Login';
import { Wallboard } from './views/Wallboard';

interface Me {
  user: User;
  permissions: string[];
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);
  const refresh = useCallback(() => api.me().then(setMe).catch(() => setMe(null)).finally(() => setChecked(true)), []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  if (!checked) return <p className="loading">Loading…</p>;
  if (!me) return <Login onLoggedIn={() => void refresh()} />;
  return <Workspace me={me} onLoggedOut={() => setMe(null)} />;
}

type Page = 'inbox' | 'wallboard' | 'admin';

function Workspace({ me, onLoggedOut }: { me: Me; onLoggedOut: () => void }) {
  const { user } = me;
  const [page, setPage] = useState<Page>('inbox');
  const [selected, setSelected] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [help, setHelp] = useState(false);
  // Bumped on every event that may change what is shown: the views reload what concerns them.
  const [change, setChange] = useState<{ n: number; conversation?: string }>({ n: 0 });
  // When each message of the last 30 minutes arrived (for the wallboard's buzz chart).
  const [buzz, setBuzz] = useState<number[]>([]);
  const order = useRef<string[]>([]);
  const setOrder = useCallback((ids: string[]) => {
    order.current = ids;
  }, []);

  // Who else is on a conversation: agent id -> what they do and when, per conversation.
  const [presence, setPresence] = useState<Record<string, Record<string, { what: 'viewing' | 'typing'; at: number }>>>({});
  const events = useRef<EventsConnection | null>(null);
  const tell = useCallback((message: Record<string, unknown>) => events.current?.send(message), []);
  useEffect(() => {
    const connection = connectEvents(
        (event: LiveEvent) => {
          if (event.event === 'conversation.viewing' || event.event === 'conversation.typing') {
            const conversation = String(event.data?.conversation_id ?? '');
            const agent = String(event.data?.agent_id ?? '');
            if (conversation && agent) {
              const what = event.event === 'conversation.typing' ? 'typing' : 'viewing';
              setPresence((p) => ({ ...p, [conversation]: { ...p[conversation], [agent]: { what, at: Date.now() } } }));
            }
          }
          const name = event.event ?? event.type;
          if (name === 'message.created' && event.data?.from_customer === true) {
            const now = Date.now();
            setBuzz((b) => [...b.filter((t) => now - t < 30 * 60_000), now]);
          }
          if (name === 'resync' || /^(conversation|message|agent|queue)\./.test(name)) {
            const conversation = typeof event.data?.conversation_id === 'string' ? event.data.conversation_id : undefined;
            setChange((c) => ({ n: c.n + 1, conversation }));
          }
        },
        setLive,
      );
    events.current = connection;
    return connection.close;
  }, []);

  const move = useCallback((step: number) => {
    const ids = order.current;
    if (!ids.length) return;
    setSelected((current) => {
      const at = current ? ids.indexOf(current) : -1;
      const next = Math.min(Math.max(at + step, 0), ids.length - 1);
      return ids[next] ?? current;
    });
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (target.closest('textarea, input, select')) {
        if (event.key === 'Escape') target.blur();
        return;
      }
      if (page !== 'inbox' && event.key !== '?' && event.key !== 'Escape') return;
      if (event.key === 'j') move(1);
      else if (event.key === 'k') move(-1);
      else if (event.key === 'r') document.getElementById('reply')?.focus();
      else if (event.key === '?') setHelp((h) => !h);
      else if (event.key === 'Escape') setHelp(false);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [move, page]);

  const logout = async () => {
    await api.logout().catch((e: unknown) => (e instanceof ApiError ? null : Promise.reject(e)));
    onLoggedOut();
  };

  return (
    <div className="shell">
      <header className="topbar">
        <h1>Parley</h1>
        <span className={live ? 'live on' : 'live'} role="status">{live ? 'Live' : 'Reconnecting…'}</span>
        <nav aria-label="Pages">
          <button type="button" aria-current={page === 'inbox' ? 'page' : undefined} onClick={() => setPage('inbox')}>Inbox</button>
          {me.permissions.includes('assign') && (
            <button type="button" aria-current={page === 'wallboard' ? 'page' : undefined} onClick={() => setPage('wallboard')}>Wallboard</button>
          )}
          {mayAdminister(me.permissions) && (
            <button type="button" aria-current={page === 'admin' ? 'page' : undefined} onClick={() => setPage('admin')}>Admin</button>
          )}
        </nav>
        <span className="spacer" />
        <button type="button" className="link" onClick={() => setHelp(true)} aria-keyshortcuts="?">Shortcuts</button>
        <span className="who">{user.email}</span>
        <button type="button" onClick={logout}>Log out</button>
      </header>
      {page === 'inbox' ? (
        <main className="panes">
          <Inbox user={user.id} selected={selected} onSelect={setSelected} change={change.n} onOrder={setOrder} />
          {selected ? (
            <ConversationView key={selected} id={selected} change={change} withCustomer me={user.email}
              others={presence[selected] ?? {}} tell={tell} permissions={me.permissions} />
          ) : (
            <section className="empty-pane" aria-label="Conversation">
              <p>Select a conversation, or press <kbd>j</kbd> for the first one.</p>
            </section>
          )}
        </main>
      ) : (
        <main className="main-single">
          {page === 'wallboard' ? <Wallboard change={change.n} buzz={buzz} /> : <Admin permissions={me.permissions} />}
        </main>
      )}
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}
