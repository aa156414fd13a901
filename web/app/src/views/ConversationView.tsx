// One conversation (C4.2): the whole thread across channels in order, who wrote what, how each
// answer was delivered, its tags, and the reply box: public, or moved to a DM or to email with a
// public note that says so (the secure-channel template, C4.3).
import { type FormEvent, useEffect, useRef, useState } from 'react';

import { type Agent, api, type CannedResponse, type ConversationDetail, type Note, reasonOf } from '../api/client';
import { CustomerPanel, feeling, mood } from './CustomerPanel';
import { ago, channelName, countdown, nextDeadline } from './format';

type Others = Record<string, { what: 'viewing' | 'typing'; at: number }>;

type Mode = 'public' | 'private' | 'email';

// The public answer that says the conversation moved, when the brand has not written its own (a
// canned response tagged secure_channel).
function secureNote(mode: Mode, name: string | undefined) {
  const hello = name ? `Hi ${name.split(/\s+/)[0]}, ` : 'Hi, ';
  return mode === 'email'
    ? `${hello}we've emailed you so we can look into this securely. Please check your inbox.`
    : `${hello}we've sent you a direct message so we can look into this securely.`;
}

export function ConversationView({ id, change, withCustomer = false, me = '', others = {}, tell, permissions = [] }: {
  id: string;
  change: { n: number; conversation?: string };
  withCustomer?: boolean;
  me?: string;                 // the user's email: their own agent is not "someone else"
  others?: Others;             // who else views or types here (from the live events)
  tell?: (message: Record<string, unknown>) => void;
  permissions?: string[];      // what the user may do (for the shortcuts that assign)
}) {
  const [agents, setAgents] = useState<Agent[]>([]);
  const [now, setNow] = useState(Date.now());
  const lastTyping = useRef(0);
  useEffect(() => {
    tell?.({ type: 'viewing', conversation_id: id });
    const timer = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(timer);
  }, [id, tell]);
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [error, setError] = useState('');
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [notice, setNotice] = useState('');
  const [mode, setMode] = useState<Mode>('public');
  const [emailTo, setEmailTo] = useState('');
  const [announce, setAnnounce] = useState(true);
  const [announcement, setAnnouncement] = useState('');
  const [newTag, setNewTag] = useState('');
  const [notes, setNotes] = useState<Note[]>([]);
  const [noteText, setNoteText] = useState('');
  const [noteKind, setNoteKind] = useState('note');
  const [codes, setCodes] = useState<string[]>([]);
  const [canned, setCanned] = useState<CannedResponse[]>([]);
  const [code, setCode] = useState('');
  // The customer panel reloads for this conversation's events (and a resync), not everyone's.
  const [customerTick, setCustomerTick] = useState(0);
  useEffect(() => {
    if (!change.conversation || change.conversation === id) setCustomerTick((t) => t + 1);
  }, [change.n, change.conversation, id]);

  useEffect(() => {
    api.notes(id).then((n) => setNotes(n.items)).catch(() => setNotes([]));
  }, [id, change.n]);
  const workspaceId = detail?.conversation.workspace_id;
  useEffect(() => {
    if (!workspaceId) return;
    api.resolutionCodes(workspaceId).then((c) => setCodes(c.items)).catch(() => setCodes([]));
    api.agents(workspaceId).then((a) => setAgents(a.items)).catch(() => setAgents([]));
    api.cannedResponses(workspaceId).then((c) => setCanned(c.items)).catch(() => setCanned([]));
  }, [workspaceId]);
  // Typing lasts 8 s after the last word; viewing a minute after they opened it.
  const around = Object.entries(others)
    .map(([agentId, o]) => ({ agent: agents.find((a) => a.id === agentId), ...o }))
    .filter((o) => o.agent && o.agent.email !== me && now - o.at < (o.what === 'typing' ? 8000 : 60_000))
    .map((o) => `${o.agent!.display_name} is ${o.what === 'typing' ? 'typing…' : 'viewing'}`);

  const act = async (what: () => Promise<unknown>, done: string) => {
    setNotice('');
    try {
      await what();
      setNotice(done);
      return true;
    } catch (e) {
      setNotice(reasonOf(e));
      return false;
    }
  };
  const addNote = async (event: FormEvent) => {
    event.preventDefault();
    if (!noteText.trim()) return;
    if (await act(() => api.addNote(id, noteText.trim(), noteKind), 'Note kept: only your team sees it.')) {
      setNoteText('');
      setNotes((await api.notes(id)).items);
    }
  };

  useEffect(() => {
    if (change.conversation && change.conversation !== id && detail) return;
    let cancelled = false;
    api.conversation(id)
      .then((d) => { if (!cancelled) { setDetail(d); setError(''); } })
      .catch((e: Error) => { if (!cancelled) setError(e.message); });
    return () => { cancelled = true; };
  }, [id, change.n]);

  const lastInbound = detail ? [...detail.messages].reverse().find((m) => m.direction === 'inbound') : undefined;
  const publicThread = lastInbound?.visibility === 'public';
  // Moving a public thread: the public note that says where the answer went.
  // The brand's template in the conversation's language first, then one for every language.
  const choosing = useRef(0);
  const chooseMode = async (next: Mode) => {
    setMode(next);
    const asked = ++choosing.current;
    if (next === 'public' || !detail) return;
    const templates = canned.filter((c) => c.tags?.includes('secure_channel'));
    const template = templates.find((c) => c.language && c.language === detail.conversation.language) ?? templates.find((c) => !c.language);
    let note = secureNote(next, detail.customer?.display_name);
    if (template?.id) note = (await api.renderCanned(template.id, id).catch(() => ({ text: note }))).text;
    if (asked === choosing.current) setAnnouncement(note);  // a later choice wins
  };

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim() || !detail) return;
    if (mode === 'email' && !emailTo.trim()) {
      setNotice('Give the customer\'s email address to move this to email.');
      return;
    }
    setSending(true);
    setNotice('');
    try {
      const queued = await api.reply(id, text.trim(), {
        seenVersion: detail.conversation.version,
        private: mode === 'private',
        ...(mode === 'email' ? { email: emailTo.trim() } : {}),
      });
      setText('');
      const kind = mode === 'email' ? `an email to ${emailTo.trim()}` : queued.kind.replaceAll('_', ' ');
      let told = '';
      if (mode !== 'public' && publicThread && announce && announcement.trim()) {
        // The answer is out already: a failed note is said on its own, so nobody sends it twice.
        told = await api.reply(id, announcement.trim(), { seenVersion: detail.conversation.version })
          .then(() => ' The public note that says so is queued too.')
          .catch((e: unknown) => ` The public note was not sent: ${reasonOf(e)}.`);
      }
      setNotice(`Queued as ${kind}: it shows below as it is delivered.${told}`);
      if (mode !== 'public') setMode('public');
    } catch (e) {
      setNotice(reasonOf(e));
    } finally {
      setSending(false);
    }
  };

  const editTags = async (change: { add?: string[]; remove?: string[] }) => {
    try {
      const changed = await api.tag(id, change);
      setDetail((d) => (d ? { ...d, conversation: { ...d.conversation, tags: changed.conversation.tags } } : d));
      setNewTag('');
    } catch (e) {
      setNotice(reasonOf(e));
    }
  };

  // The conversation's own shortcuts: t tags, a assigns to me, e closes (resolves).
  const keys = useRef<(key: string) => boolean>(() => false);
  keys.current = (key: string) => {
    if (!detail) return false;
    if (key === 't') document.getElementById('tag-input')?.focus();
    else if (key === 'a') void assignToMe();
    else if (key === 'e') {
      const select = document.getElementById('resolution-code') as HTMLSelectElement | null;
      const tools = select?.closest('details');
      if (tools) tools.open = true;
      if (select && !code) select.focus();
      else void act(() => api.resolve(id, code || undefined), 'Resolved.');
    } else return false;
    return true;
  };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.ctrlKey || event.metaKey || event.altKey || target.closest('textarea, input, select, [role="dialog"]')) return;
      if (keys.current(event.key)) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const mine = agents.find((a) => a.email === me);
  const assignToMe = () => {
    if (permissions.includes('take_over')) return act(() => api.take(id), 'It is yours now.');
    if (permissions.includes('assign') && mine) return act(() => api.assign(id, mine.id, 'took it from the inbox'), 'It is yours now.');
    setNotice('Conversations come to you by routing: ask a team leader to assign this one to you.');
    return Promise.resolve(false);
  };

  if (error) return <section className="conversation" aria-label="Conversation"><p className="error" role="alert">{error}</p></section>;
  if (!detail) return <section className="conversation" aria-label="Conversation"><p className="quiet">Loading…</p></section>;
  const { conversation, customer, messages } = detail;
  const identity = customer?.identities?.[0];
  const due = countdown(nextDeadline(conversation));
  const opened = conversation.opened_at ? Date.parse(conversation.opened_at) : undefined;
  const firstResponse = conversation.first_response_at && opened !== undefined
    ? Math.max(0, Math.round((Date.parse(conversation.first_response_at) - opened) / 60000)) : undefined;
  const view = (
    <section className="conversation" aria-label="Conversation">
      <header>
        <h2>{customer?.display_name || identity?.handle || 'Customer'}</h2>
        <p className="meta">
          {conversation.channels.map(channelName).join(' → ')} · {conversation.status.replaceAll('_', ' ')} · priority {conversation.priority}
          {identity?.followers ? ` · ${identity.followers.toLocaleString()} followers` : ''}
        </p>
        {conversation.priority_reasons?.length ? <p className="why">Why: {conversation.priority_reasons.join(' · ')}</p> : null}
        <div className="conversation-tags">
          <ul className="tags" aria-label="Conversation tags">
            {(conversation.tags ?? []).map((t) => (
              <li key={t}>{t} <button type="button" className="untag" onClick={() => void editTags({ remove: [t] })} aria-label={`Remove tag ${t}`}>×</button></li>
            ))}
          </ul>
          <form onSubmit={(e) => { e.preventDefault(); if (newTag.trim()) void editTags({ add: [newTag.trim()] }); }} aria-label="Add a tag">
            <label htmlFor="tag-input" className="sr-only">New tag</label>
            <input id="tag-input" value={newTag} onChange={(e) => setNewTag(e.target.value)} placeholder="Add tag (t)" size={12}
              onKeyDown={(e) => { if (e.key === 'Escape') e.currentTarget.blur(); }} />
          </form>
        </div>
        {around.length ? <p className="others" role="status">{around.join(' · ')}</p> : null}
        <p className="sla" role="status">
          {firstResponse !== undefined ? <span className="answered">First response in {firstResponse} min</span> : null}
          {due ? <span className={due.late ? 'due late' : 'due'}>SLA: {due.text}</span> : firstResponse !== undefined ? <span> · clock stopped</span> : null}
        </p>
      </header>
      <ol className="thread">
        {messages.map((m) => (
          <li key={m.id} className={`message ${m.direction}${m.filters?.length ? ' noise' : ''}`}>
            <div className="head">
              <strong>{m.direction === 'inbound' ? m.author?.display_name || m.author?.handle || 'Customer' : 'You'}</strong>
              <span>{channelName(m.channel)} · {m.visibility}</span>
              <time dateTime={m.published_at}>{ago(m.published_at)}</time>
              {m.filters?.length ? <span className="filtered">filtered: {m.filters.map((f) => f.replaceAll('_', ' ')).join(', ')}</span> : null}
              {m.direction === 'inbound' && typeof m.sentiment === 'number'
                ? <span className="mood" title={feeling(m.sentiment)}>{mood(m.sentiment)} ({m.sentiment.toFixed(1)})</span> : null}
            </div>
            {m.visibility === 'public' && m.redacted_text ? (
              <>
                <p>{m.redacted_text}</p>
                <p className="personal-data" role="note">
                  Personal data posted in public ({(m.personal_data ?? []).map((k) => k.replaceAll('_', ' ')).join(', ')}): it is hidden here.
                  Don't ask for account details in public:{' '}
                  <button type="button" className="link inline-link" onClick={() => void chooseMode('private')}>move to a private message</button>
                </p>
              </>
            ) : <p>{m.text}</p>}
            {m.tags?.length ? <ul className="tags" aria-label="Tags">{m.tags.map((t) => <li key={t}>{t}</li>)}</ul> : null}
            {m.direction === 'outbound' && (
              <p className={`delivery delivery-${m.delivery}`}>{m.delivery}{m.delivery_error ? `: ${m.delivery_error}` : ''}</p>
            )}
          </li>
        ))}
      </ol>
      <form className="reply" onSubmit={send}>
        <div className="reply-head">
          <label htmlFor="reply">Reply</label>
          {canned.length ? (
            <>
              <label htmlFor="canned" className="sr-only">Canned response</label>
              <select id="canned" value="" onChange={(e) => {
                const chosen = e.target.value;
                if (chosen) void act(async () => setText((await api.renderCanned(chosen, id)).text), 'Canned response filled in: check it before sending.');
              }}>
                <option value="">Canned response…</option>
                {canned.map((c) => <option key={c.id ?? c.name} value={c.id ?? ''}>{c.name}{c.shortcut ? ` (${c.shortcut})` : ''}</option>)}
              </select>
            </>
          ) : null}
        </div>
        <textarea id="reply" value={text} rows={3} onChange={(e) => {
          setText(e.target.value);
          if (Date.now() - lastTyping.current > 3000) {
            lastTyping.current = Date.now();
            tell?.({ type: 'typing', conversation_id: id });
          }
        }}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(); }}
          placeholder="Write an answer… (Ctrl+Enter sends)" />
        {mode === 'email' && (
          <div className="move">
            <label htmlFor="email-to">Customer's email</label>
            <input id="email-to" type="email" value={emailTo} onChange={(e) => setEmailTo(e.target.value)} placeholder="name@example.com" />
          </div>
        )}
        {mode !== 'public' && publicThread && (
          <div className="move">
            <label className="check"><input type="checkbox" checked={announce} onChange={(e) => setAnnounce(e.target.checked)} /> Say so in public</label>
            <label htmlFor="announcement" className="sr-only">Public note</label>
            <input id="announcement" value={announcement} onChange={(e) => setAnnouncement(e.target.value)} disabled={!announce} />
          </div>
        )}
        <div className="actions">
          {notice && <span role="status">{notice}</span>}
          <label htmlFor="reply-mode">Send as</label>
          <select id="reply-mode" value={mode} onChange={(e) => void chooseMode(e.target.value as Mode)}>
            <option value="public">{publicThread ? 'Public reply' : 'Reply'}</option>
            <option value="private">Private (DM)</option>
            <option value="email">Email</option>
          </select>
          <button type="submit" disabled={sending || !text.trim()}>{sending ? 'Sending…' : 'Send reply'}</button>
        </div>
      </form>
      <details className="tools">
        <summary>Notes ({notes.length}) and resolving</summary>
        <ul className="notes" aria-label="Notes">
          {notes.map((n) => <li key={n.id}><strong>{n.kind.replaceAll('_', ' ')}</strong> · {ago(n.created_at)}: {n.text}</li>)}
        </ul>
        <form className="inline" onSubmit={addNote} aria-label="Add a note">
          <label htmlFor="note-text">Note</label>
          <input id="note-text" value={noteText} onChange={(e) => setNoteText(e.target.value)} />
          <label htmlFor="note-kind">Kind</label>
          <select id="note-kind" value={noteKind} onChange={(e) => setNoteKind(e.target.value)}>
            {['note', 'phone_call', 'store_visit', 'email_elsewhere', 'other'].map((k) => <option key={k} value={k}>{k.replaceAll('_', ' ')}</option>)}
          </select>
          <button type="submit">Add note</button>
        </form>
        <form className="inline" aria-label="Resolve" onSubmit={(e) => { e.preventDefault(); void act(() => api.resolve(id, code || undefined), 'Resolved.'); }}>
          {codes.length ? (
            <>
              <label htmlFor="resolution-code">Resolution</label>
              <select id="resolution-code" value={code} onChange={(e) => setCode(e.target.value)} required>
                <option value="" disabled>Choose…</option>
                {codes.map((c) => <option key={c} value={c}>{c.replaceAll('_', ' ')}</option>)}
              </select>
            </>
          ) : null}
          <button type="submit">Resolve</button>
        </form>
      </details>
    </section>
  );
  if (!withCustomer) return view;
  return (
    <div className="with-customer">
      {view}
      <CustomerPanel customerId={conversation.customer_id} agents={agents} current={conversation.id} change={customerTick} notes={notes.length} />
    </div>
  );
}
