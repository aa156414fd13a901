// Admin: the keyword tables of a brand (C2.1). An entry added here is compiled with the brand's
// other tables before it is stored, and tags the next mention; a bad pattern is refused with
// where and why, and a table someone else changed meanwhile is reloaded, not overwritten.
import { type FormEvent, useCallback, useEffect, useState } from 'react';

import { api, ApiError, type KeywordTable } from '../../api/client';
import { act, failure, type Message, Notice, splitList } from './common';

export function KeywordTables({ workspace }: { workspace: string }) {
  const [tables, setTables] = useState<KeywordTable[]>([]);
  const [message, setMessage] = useState<Message>(null);
  const [newName, setNewName] = useState('');

  const load = useCallback(() => {
    if (!workspace) return;
    api.keywordTables(workspace).then((t) => setTables(t.items)).catch((e) => setMessage(failure(e)));
  }, [workspace]);
  useEffect(load, [load]);

  const save = async (table: KeywordTable, what: string) => {
    await act(setMessage, () => api.saveKeywordTable(table), what, (e) =>
      e instanceof ApiError && e.status === 409 ? { text: `Someone changed "${table.name}" meanwhile: it is reloaded, add your entry again.`, error: true } : failure(e));
    load();
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!newName.trim()) return;
    const name = newName.trim();
    if (await act(setMessage, () => api.createKeywordTable(workspace, { name, entries: [] }), `Table "${name}" created.`)) setNewName('');
    load();
  };

  return (
    <section className="admin" aria-labelledby="tables-title">
      <header className="admin-head">
        <h2 id="tables-title">Keyword tables</h2>
      </header>
      <Notice message={message} />
      {tables.map((table) => <TableCard key={`${table.id}-${table.version}`} table={table} onSave={save} />)}
      <form className="card inline" onSubmit={create}>
        <label>New table <input value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="e.g. deliveries" /></label>
        <button type="submit">Create table</button>
      </form>
    </section>
  );
}

function TableCard({ table, onSave }: { table: KeywordTable; onSave: (table: KeywordTable, what: string) => Promise<void> }) {
  const [pattern, setPattern] = useState('');
  const [tags, setTags] = useState('');
  const [priority, setPriority] = useState('');
  const id = `table-${table.id}`;

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!pattern.trim()) return;
    const entry: KeywordTable['entries'][number] = { pattern: pattern.trim(), tags: splitList(tags) };
    if (priority) entry.priority = Number(priority);
    await onSave({ ...table, entries: [...table.entries, entry] }, `"${pattern.trim()}" added to "${table.name}": it applies to the next mention.`);
  };
  const remove = (index: number) =>
    onSave({ ...table, entries: table.entries.filter((_, i) => i !== index) }, `Entry removed from "${table.name}".`);

  return (
    <article className="card" aria-labelledby={id}>
      <h3 id={id}>{table.name} {table.language ? <span className="quiet-inline">({table.language})</span> : null} <span className="quiet-inline">version {table.version}</span></h3>
      <table>
        <thead><tr><th scope="col">Pattern</th><th scope="col">Kind</th><th scope="col">Tags</th><th scope="col">Priority</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {table.entries.map((entry, i) => (
            <tr key={`${entry.pattern}-${i}`}>
              <td><code>{entry.pattern}</code></td>
              <td>{entry.kind ?? 'phrase'}</td>
              <td>{(entry.tags ?? []).join(', ')}</td>
              <td>{entry.priority ?? ''}</td>
              <td><button type="button" className="link" onClick={() => void remove(i)} aria-label={`Remove ${entry.pattern}`}>Remove</button></td>
            </tr>
          ))}
          {!table.entries.length && <tr><td colSpan={5} className="quiet">No entries yet.</td></tr>}
        </tbody>
      </table>
      <form className="inline" onSubmit={add} aria-label={`Add an entry to ${table.name}`}>
        <label>Pattern <input value={pattern} onChange={(e) => setPattern(e.target.value)} /></label>
        <label>Tags <input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="comma, separated" /></label>
        <label>Priority <input type="number" min={0} max={100} value={priority} onChange={(e) => setPriority(e.target.value)} /></label>
        <button type="submit">Add entry</button>
      </form>
    </article>
  );
}
