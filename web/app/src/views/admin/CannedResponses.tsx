// Admin: the brand's canned responses (C4.4): text with {{variables}} that the reply box fills in
// for the customer and agent at hand, a shortcut to type, a language, and whether it is
// pre-approved for use during a crisis.
import { type FormEvent, useCallback, useEffect, useState } from 'react';

import { api, type CannedResponse } from '../../api/client';
import { act, done, failure, joinList, type Message, Notice, splitList } from './common';

const variables = ['customer.name', 'customer.first_name', 'customer.handle', 'agent.name', 'agent.first_name', 'agent.initials', 'brand.name', 'conversation.id'];
const empty = (): CannedResponse => ({ name: '', text: '', shortcut: '', language: '', tags: [], pre_approved: false });

export function CannedResponses({ workspace }: { workspace: string }) {
  const [items, setItems] = useState<CannedResponse[]>([]);
  const [editing, setEditing] = useState<CannedResponse | null>(null);
  const [message, setMessage] = useState<Message>(null);

  const load = useCallback(() => {
    api.cannedResponses(workspace).then((c) => setItems(c.items)).catch((e) => setMessage(failure(e)));
  }, [workspace]);
  useEffect(load, [load]);

  const remove = async (item: CannedResponse) => {
    if (!item.id || !window.confirm(`Delete the canned response "${item.name}"?`)) return;
    const id = item.id;
    if (await act(setMessage, () => api.deleteCanned(id), `"${item.name}" deleted.`)) setEditing(null);
    load();
  };

  return (
    <section className="admin" aria-labelledby="canned-title">
      <header className="admin-head">
        <h2 id="canned-title">Canned responses</h2>
        <button type="button" onClick={() => setEditing(empty())}>New canned response</button>
      </header>
      <p className="hint">Variables filled in for the conversation: {variables.map((v, i) => <span key={v}>{i ? ', ' : ''}<code>{`{{${v}}}`}</code></span>)}.</p>
      <Notice message={message} />
      {editing && (
        <CannedEditor key={editing.id ?? 'new'} workspace={workspace} item={editing} onCancel={() => setEditing(null)}
          onSaved={(text) => { setMessage(done(text)); setEditing(null); load(); }} onDelete={() => void remove(editing)} />
      )}
      <div className="table-scroll">
        <table>
          <caption className="sr-only">Canned responses</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Shortcut</th><th scope="col">Text</th><th scope="col">Language</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>
                <td>{item.name}{item.pre_approved ? <span className="key"> pre-approved</span> : null}</td>
                <td>{item.shortcut ? <code>{item.shortcut}</code> : ''}</td>
                <td className="clip">{item.text}</td>
                <td>{item.language ?? ''}</td>
                <td><button type="button" className="link" onClick={() => setEditing(item)} aria-label={`Edit ${item.name}`}>Edit</button></td>
              </tr>
            ))}
            {!items.length && <tr><td colSpan={5} className="quiet">No canned responses yet.</td></tr>}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function CannedEditor({ workspace, item, onCancel, onSaved, onDelete }: {
  workspace: string; item: CannedResponse; onCancel: () => void; onSaved: (text: string) => void; onDelete: () => void;
}) {
  const [draft, setDraft] = useState<CannedResponse>(item);
  const [tags, setTags] = useState(joinList(item.tags));
  const [message, setMessage] = useState<Message>(null);
  const set = (change: Partial<CannedResponse>) => setDraft((d) => ({ ...d, ...change }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const value: CannedResponse = { ...draft, tags: splitList(tags) };
    if (!value.shortcut) delete value.shortcut;
    if (!value.language) delete value.language;
    try {
      if (value.id) await api.saveCanned(value);
      else await api.createCanned(workspace, value);
      onSaved(`"${value.name}" saved.`);
    } catch (e) {
      setMessage(failure(e));
    }
  };
  const title = draft.id ? `Edit canned response ${item.name}` : 'New canned response';

  return (
    <form className="card editor" onSubmit={save} aria-label={title}>
      <h3>{title}</h3>
      <div className="inline">
        <label>Name <input required value={draft.name} onChange={(e) => set({ name: e.target.value })} /></label>
        <label>Shortcut <input value={draft.shortcut ?? ''} onChange={(e) => set({ shortcut: e.target.value })} placeholder="/refund" /></label>
        <label>Language <input value={draft.language ?? ''} onChange={(e) => set({ language: e.target.value })} placeholder="en" size={4} /></label>
        <label>Tags <input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="comma, separated" /></label>
        <label className="check"><input type="checkbox" checked={draft.pre_approved === true} onChange={(e) => set({ pre_approved: e.target.checked })} /> Pre-approved for a crisis</label>
      </div>
      <label htmlFor="canned-text">Text</label>
      <textarea id="canned-text" required rows={4} value={draft.text} onChange={(e) => set({ text: e.target.value })} />
      <Notice message={message} />
      <div className="actions">
        <button type="submit">Save canned response</button>
        <button type="button" className="link" onClick={onCancel}>Cancel</button>
        {draft.id && <button type="button" className="link danger" onClick={onDelete}>Delete</button>}
      </div>
    </form>
  );
}
