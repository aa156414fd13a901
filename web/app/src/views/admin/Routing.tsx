// Admin: how a brand distributes work (C3): its teams and agents (members, leaders, overflow,
// skills, caps, weights, shifts) and its service levels and calendars. They are one routing
// document (docs/routing.md) that the server checks as the router would and applies at once,
// keeping queues, assignments and clocks; a mistake is refused with the field at fault.
import { useCallback, useEffect, useRef, useState } from 'react';

import { api, type RoutingSetup } from '../../api/client';
import { channelKinds, channelName } from '../format';
import { done, failure, joinList, type Message, Notice, splitList } from './common';

type Records = Record<string, Record<string, unknown>>;
type Section = 'teams' | 'agents' | 'calendars' | 'sla_policies';

interface Field {
  key: string;
  label: string;
  kind: 'text' | 'number' | 'list' | 'select' | 'members' | 'check' | 'weights';
  options?: string[];
  hint?: string;
  none?: string;  // what an empty select means
}

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const dayNames: Record<string, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

export function Routing({ workspace, part }: { workspace: string; part: 'organisation' | 'service' }) {
  const [setup, setSetup] = useState<RoutingSetup | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [dirty, setDirty] = useState(false);

  const load = useCallback(() => {
    api.routing(workspace).then((s) => { setSetup(s); setDirty(false); }).catch((e) => setMessage(failure(e)));
  }, [workspace]);
  useEffect(load, [load]);

  if (!setup) return <Notice message={message} />;
  const agentNames = Object.keys(setup.agents);
  const teamNames = Object.keys(setup.teams);
  const calendarNames = Object.keys(setup.calendars);
  const policyNames = Object.keys(setup.sla_policies);
  const change = (section: Section, records: Records) => {
    setSetup({ ...setup, [section]: records });
    setDirty(true);
  };

  const save = async () => {
    // Agents' presence is theirs to choose: what was read is not written back over it.
    const agents: Records = {};
    for (const [name, agent] of Object.entries(setup.agents)) {
      const { status: _status, ...rest } = agent;
      agents[name] = rest;
    }
    const document: RoutingSetup = { ...setup, agents };
    if (!document.default_team) delete document.default_team;
    try {
      setSetup(await api.saveRouting(workspace, document));
      setDirty(false);
      setMessage(done('Saved and applied: queues, assignments and clocks are kept.'));
    } catch (e) {
      setMessage(failure(e));
    }
  };

  const title = part === 'organisation' ? 'Teams and agents' : 'SLA and calendars';
  return (
    <section className="admin" aria-labelledby="routing-title">
      <header className="admin-head">
        <h2 id="routing-title">{title}</h2>
        <span className="spacer" />
        {dirty && <span className="quiet-inline">Unsaved changes</span>}
        <button type="button" onClick={() => void save()} disabled={!dirty}>Save and apply</button>
        <button type="button" className="link" onClick={load} disabled={!dirty}>Discard</button>
      </header>
      <Notice message={message} />
      {part === 'organisation' ? (
        <>
          <div className="pick">
            <label htmlFor="default-team">Default team (for what no rule sends elsewhere)</label>
            <select id="default-team" value={setup.default_team ?? ''} onChange={(e) => { setSetup({ ...setup, default_team: e.target.value || undefined }); setDirty(true); }}>
              <option value="">{teamNames.length === 1 ? 'the only team' : 'none'}</option>
              {teamNames.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </div>
          <Records title="Teams" noun="team" records={setup.teams} onChange={(r) => change('teams', r)} fields={[
            { key: 'members', label: 'Members', kind: 'members', options: agentNames },
            { key: 'leader', label: 'Leader', kind: 'select', options: agentNames },
            { key: 'distribution', label: 'Distribution', kind: 'select', options: ['least_load', 'round_robin'], none: 'least load' },
            { key: 'overflow', label: 'Overflow to', kind: 'select', options: teamNames },
            { key: 'max_wait', label: 'Overflow after', kind: 'text', hint: '10m' },
            { key: 'queue_cap', label: 'Queue cap', kind: 'number' },
            { key: 'reassign_after', label: 'Reassign after silence', kind: 'text', hint: '30m' },
            { key: 'calendar', label: 'Calendar', kind: 'select', options: calendarNames },
            { key: 'sla_policy', label: 'SLA policy', kind: 'select', options: policyNames },
            { key: 'sticky_window', label: 'Back to the same agent within', kind: 'text', hint: '7d' },
          ]} />
          <Records title="Agents" noun="agent" records={setup.agents} onChange={(r) => change('agents', r)} fields={[
            { key: 'email', label: 'Login email', kind: 'text' },
            { key: 'cap', label: 'Cap', kind: 'number' },
            { key: 'skills', label: 'Skills', kind: 'list', hint: 'language:en:5, topic:billing' },
            { key: 'weights', label: 'Channel weights', kind: 'weights', hint: 'whatsapp:2' },
            { key: 'schedule', label: 'Shift calendar', kind: 'select', options: calendarNames },
          ]} />
        </>
      ) : (
        <>
          <SlaPolicies records={setup.sla_policies} onChange={(r) => change('sla_policies', r)} />
          <Records title="Calendars" noun="calendar" records={setup.calendars} onChange={(r) => change('calendars', r)} fields={[
            { key: 'time_zone', label: 'Time zone', kind: 'text', hint: 'Europe/London' },
            ...days.map((d): Field => ({ key: `weekly.${d}`, label: dayNames[d] ?? d, kind: 'list', hint: 'closed (e.g. 09:00-12:30, 13:30-17:00)' })),
            { key: 'holidays', label: 'Holidays', kind: 'list', hint: '2026-12-25' },
          ]} />
        </>
      )}
    </section>
  );
}

// A value at "a" or "a.b" of a record.
function read(record: Record<string, unknown>, key: string): unknown {
  const [head, tail] = key.split('.', 2) as [string, string | undefined];
  const value = record[head];
  return tail === undefined ? value : (value as Record<string, unknown> | undefined)?.[tail];
}
function write(record: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const [head, tail] = key.split('.', 2) as [string, string | undefined];
  const next = { ...record };
  if (tail === undefined) {
    if (value === undefined || value === '') delete next[head];
    else next[head] = value;
    return next;
  }
  next[head] = { ...((record[head] as Record<string, unknown> | undefined) ?? {}), [tail]: value };
  return next;
}

// Named records (teams, agents, calendars), one card each, with a form to add one.
function Records({ title, noun, records, fields, onChange }: {
  title: string; noun: string; records: Records; fields: Field[]; onChange: (records: Records) => void;
}) {
  const [name, setName] = useState('');
  const add = () => {
    const n = name.trim();
    if (!n || records[n]) return;
    onChange({ ...records, [n]: noun === 'team' ? { members: [] } : {} });
    setName('');
  };
  const remove = (n: string) => {
    const { [n]: _gone, ...rest } = records;
    onChange(rest);
  };
  const headingId = `records-${noun}`;
  return (
    <section aria-labelledby={headingId} className="records">
      <h3 id={headingId}>{title}</h3>
      {Object.entries(records).map(([n, record]) => (
        <article key={n} className="card" aria-label={`${noun} ${n}`}>
          <div className="rule-line">
            <h4>{n}</h4>
            <span className="spacer" />
            <button type="button" className="link danger" onClick={() => remove(n)} aria-label={`Remove ${noun} ${n}`}>Remove</button>
          </div>
          <div className="field-grid">
            {fields.map((field) => (
              <FieldInput key={field.key} id={`${noun}-${n}-${field.key}`.replace(/[^A-Za-z0-9_-]/g, '_')} field={field} self={n}
                value={read(record, field.key)} onChange={(v) => onChange({ ...records, [n]: write(record, field.key, v) })} />
            ))}
          </div>
        </article>
      ))}
      {!Object.keys(records).length && <p className="quiet">None yet.</p>}
      <div className="inline">
        <label htmlFor={`new-${noun}`}>New {noun}</label>
        <input id={`new-${noun}`} value={name} onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
        <button type="button" onClick={add}>Add {noun}</button>
      </div>
    </section>
  );
}

function FieldInput({ id, field, value, self, onChange }: {
  id: string; field: Field; value: unknown; self: string; onChange: (value: unknown) => void;
}) {
  switch (field.kind) {
    case 'members': {
      const members = Array.isArray(value) ? value.map(String) : [];
      return (
        <fieldset className="members">
          <legend>{field.label}</legend>
          {(field.options ?? []).map((option) => (
            <label key={option} className="check">
              <input type="checkbox" checked={members.includes(option)}
                onChange={(e) => onChange(e.target.checked ? [...members, option] : members.filter((m) => m !== option))} /> {option}
            </label>
          ))}
          {!field.options?.length && <span className="quiet-inline">Add agents first.</span>}
        </fieldset>
      );
    }
    case 'select':
      return (
        <div className="field">
          <label htmlFor={id}>{field.label}</label>
          <select id={id} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(e.target.value || undefined)}>
            <option value="">{field.none ?? '—'}</option>
            {(field.options ?? []).filter((o) => o !== self).map((o) => <option key={o} value={o}>{field.key === 'distribution' ? o.replace('_', ' ') : o}</option>)}
          </select>
        </div>
      );
    case 'number':
      return (
        <div className="field">
          <label htmlFor={id}>{field.label}</label>
          <input id={id} type="number" min={0} value={typeof value === 'number' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))} />
        </div>
      );
    case 'check':
      return (
        <label className="check field"><input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} /> {field.label}</label>
      );
    case 'list':
    case 'weights':
      return <ListInput id={id} field={field} value={value} onChange={onChange} />;
    default:
      return (
        <div className="field">
          <label htmlFor={id}>{field.label}</label>
          <input id={id} value={typeof value === 'string' ? value : ''} placeholder={field.hint} onChange={(e) => onChange(e.target.value || undefined)} />
        </div>
      );
  }
}

// A list typed with commas ("a, b") or weights ("whatsapp:2, email:1"). Each keystroke is passed
// on, but the text stays as typed (a trailing comma is not cut) unless the value changes from
// elsewhere (a reload).
function ListInput({ id, field, value, onChange }: { id: string; field: Field; value: unknown; onChange: (value: unknown) => void }) {
  const format = (v: unknown) => (field.kind === 'weights'
    ? Object.entries((v as Record<string, number> | undefined) ?? {}).map(([k, n]) => `${k}:${n}`).join(', ')
    : joinList(v));
  const parse = (text: string): unknown => {
    const items = splitList(text);
    if (field.kind !== 'weights') return items;
    const weights: Record<string, number> = {};
    for (const item of items) {
      const [channel, weight] = item.split(':').map((s) => s.trim());
      if (channel) weights[channel] = Number(weight ?? 1);
    }
    return weights;
  };
  const shown = format(value);
  const [text, setText] = useState(shown);
  const mine = useRef(shown);
  useEffect(() => {
    if (shown !== mine.current) {
      mine.current = shown;
      setText(shown);
    }
  }, [shown]);
  const edit = (next: string) => {
    setText(next);
    const parsed = parse(next);
    mine.current = format(parsed);
    onChange(parsed);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{field.label}</label>
      <input id={id} value={text} placeholder={field.hint} onChange={(e) => edit(e.target.value)} />
    </div>
  );
}

interface Target {
  metric: string;
  target: string;
  channel?: string;
  tier?: number;
  warn_before?: string;
}

const metrics = ['first_response', 'next_response', 'resolution'];

// SLA policies: per policy, whether the clocks count business hours, and its targets (the most
// specific that matches a conversation wins: channel beats tier).
function SlaPolicies({ records, onChange }: { records: Records; onChange: (records: Records) => void }) {
  const [name, setName] = useState('');
  const set = (n: string, change: Record<string, unknown>) => onChange({ ...records, [n]: { ...records[n], ...change } });
  const add = () => {
    const n = name.trim();
    if (!n || records[n]) return;
    onChange({ ...records, [n]: { business_hours: true, targets: [{ metric: 'first_response', target: '1h' }] } });
    setName('');
  };
  return (
    <section aria-labelledby="records-sla" className="records">
      <h3 id="records-sla">SLA policies</h3>
      {Object.entries(records).map(([n, policy]) => {
        const targets = (policy.targets as Target[] | undefined) ?? [];
        const setTarget = (i: number, change: Partial<Target>) =>
          set(n, { targets: targets.map((t, j) => (j === i ? Object.fromEntries(Object.entries({ ...t, ...change }).filter(([, v]) => v !== undefined && v !== '')) : t)) });
        return (
          <article key={n} className="card" aria-label={`SLA policy ${n}`}>
            <div className="rule-line">
              <h4>{n}</h4>
              <label className="check"><input type="checkbox" checked={policy.business_hours !== false} onChange={(e) => set(n, { business_hours: e.target.checked })} /> Counts business hours only</label>
              <span className="spacer" />
              <button type="button" className="link danger" onClick={() => { const { [n]: _gone, ...rest } = records; onChange(rest); }} aria-label={`Remove SLA policy ${n}`}>Remove</button>
            </div>
            <table>
              <caption className="sr-only">Targets of {n}</caption>
              <thead><tr><th scope="col">Clock</th><th scope="col">Channel</th><th scope="col">Tier</th><th scope="col">Target</th><th scope="col">Warn before</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {targets.map((t, i) => (
                  <tr key={i}>
                    <td><select aria-label={`Clock of target ${i + 1}`} value={t.metric} onChange={(e) => setTarget(i, { metric: e.target.value })}>
                      {metrics.map((m) => <option key={m} value={m}>{m.replace('_', ' ')}</option>)}</select></td>
                    <td><select aria-label={`Channel of target ${i + 1}`} value={t.channel ?? ''} onChange={(e) => setTarget(i, { channel: e.target.value || undefined })}>
                      <option value="">any</option>{channelKinds.map((c) => <option key={c} value={c}>{channelName(c)}</option>)}</select></td>
                    <td><select aria-label={`Tier of target ${i + 1}`} value={t.tier === undefined ? '' : String(t.tier)} onChange={(e) => setTarget(i, { tier: e.target.value === '' ? undefined : Number(e.target.value) })}>
                      <option value="">any</option><option value="1">1</option><option value="2">2</option><option value="0">noise</option></select></td>
                    <td><input aria-label={`Target ${i + 1}`} value={t.target} size={6} onChange={(e) => setTarget(i, { target: e.target.value })} /></td>
                    <td><input aria-label={`Warning of target ${i + 1}`} value={t.warn_before ?? ''} size={6} placeholder="5m" onChange={(e) => setTarget(i, { warn_before: e.target.value })} /></td>
                    <td><button type="button" className="link" onClick={() => set(n, { targets: targets.filter((_, j) => j !== i) })} aria-label={`Remove target ${i + 1} of ${n}`}>Remove</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
            <button type="button" className="link" onClick={() => set(n, { targets: [...targets, { metric: 'first_response', target: '1h' }] })}>Add target</button>
          </article>
        );
      })}
      <div className="inline">
        <label htmlFor="new-sla">New SLA policy</label>
        <input id="new-sla" value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
        <button type="button" onClick={add}>Add SLA policy</button>
      </div>
    </section>
  );
}
