// Admin: the brand's rules (C2.6): when every condition holds, the actions run in order. A rule
// is edited as a form and tried on a message before it is saved ("Test this rule": the server's
// triage engine with the draft in place of the stored rule). Saving compiles it with the brand's
// tables; it applies to the next message.
import { type FormEvent, useCallback, useEffect, useState } from 'react';

import { api, type Rule, type RuleTest } from '../../api/client';
import { channelKinds, channelName } from '../format';
import { act, done, failure, joinList, type Message, Notice, splitList } from './common';

type Condition = NonNullable<Rule['when']>[number];
type Action = Rule['then'][number];

const fields = ['text', 'intent', 'risk', 'tier', 'actionable', 'sentiment', 'polarity', 'language', 'channel', 'author.handle',
  'author.id', 'author.followers', 'author.verified', 'tags', 'category', 'priority', 'key_customer', 'key_customer_tier',
  'influencer', 'recent_customer', 'top_mention', 'pii', 'filters', 'keyword_tables', 'authority', 'velocity', 'team'];
const operators: { op: NonNullable<Condition['op']>; label: string; many?: boolean; none?: boolean }[] = [
  { op: 'equals', label: 'is' }, { op: 'not_equals', label: 'is not' }, { op: 'contains', label: 'contains' },
  { op: 'in', label: 'is one of', many: true }, { op: 'not_in', label: 'is none of', many: true },
  { op: 'at_least', label: 'is at least' }, { op: 'at_most', label: 'is at most' }, { op: 'between', label: 'is between', many: true },
  { op: 'matches_table', label: 'matches keyword table', many: true, none: true },
  { op: 'in_business_hours', label: 'in business hours (true/false)', none: true },
];
const actions: { action: Action['action']; label: string; argument?: string }[] = [
  { action: 'tag', label: 'Tag', argument: 'tag' }, { action: 'set_priority', label: 'Set priority', argument: '0–100' },
  { action: 'assign_team', label: 'Assign to team', argument: 'team' }, { action: 'assign_agent', label: 'Assign to agent', argument: 'agent' },
  { action: 'auto_acknowledge', label: 'Acknowledge with', argument: 'canned response id' }, { action: 'escalate', label: 'Escalate' },
  { action: 'alert', label: 'Alert', argument: 'who or what' }, { action: 'require_approval', label: 'Require approval' },
  { action: 'hide', label: 'Hide' }, { action: 'close_as_noise', label: 'Close as noise' },
];

const valuesOf = (c: Condition): string[] =>
  [...(c.value === undefined ? [] : [c.value]), ...(c.values ?? [])].map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
const emptyRule = (): Rule => ({ name: '', order: 0, enabled: true, stop: false, when: [], then: [{ action: 'tag', argument: '' }] });

// "priority at least 70 and channel is x"
function describe(rule: Rule) {
  const when = (rule.when ?? []).map((c) => {
    const op = operators.find((o) => o.op === (c.op ?? 'equals'));
    return `${op?.none ? 'the message' : (c.field ?? '')} ${op?.label ?? c.op} ${valuesOf(c).join(', ')}`.trim();
  });
  const then = rule.then.map((a) => `${actions.find((x) => x.action === a.action)?.label ?? a.action}${a.argument !== undefined && a.argument !== '' ? ` ${String(a.argument)}` : ''}`);
  return `When ${when.length ? when.join(' and ') : 'any message'}, then ${then.join(', ')}`;
}

export function Rules({ workspace }: { workspace: string }) {
  const [rules, setRules] = useState<Rule[]>([]);
  const [editing, setEditing] = useState<Rule | null>(null);
  const [message, setMessage] = useState<Message>(null);

  const load = useCallback(() => {
    api.rules(workspace).then((r) => setRules([...r.items].sort((a, b) => (a.order ?? 0) - (b.order ?? 0)))).catch((e) => setMessage(failure(e)));
  }, [workspace]);
  useEffect(load, [load]);

  const remove = async (rule: Rule) => {
    if (!rule.id || !window.confirm(`Delete the rule "${rule.name}"?`)) return;
    const id = rule.id;
    if (await act(setMessage, () => api.deleteRule(id), `Rule "${rule.name}" deleted.`)) setEditing(null);
    load();
  };

  return (
    <section className="admin" aria-labelledby="rules-title">
      <header className="admin-head">
        <h2 id="rules-title">Rules</h2>
        <button type="button" onClick={() => setEditing(emptyRule())}>New rule</button>
      </header>
      <p className="hint">Rules run after triage on every message, in ascending order; a rule that stops ends the evaluation.</p>
      <Notice message={message} />
      {editing && (
        <RuleEditor key={editing.id ?? 'new'} workspace={workspace} rule={editing} onCancel={() => setEditing(null)}
          onSaved={(text) => { setMessage(done(text)); setEditing(null); load(); }} onDelete={() => void remove(editing)} />
      )}
      <ol className="rule-list" aria-label="Rules in order">
        {rules.map((rule) => (
          <li key={rule.id} className="card">
            <div className="rule-line">
              <strong>{rule.name}</strong>
              <span className="quiet-inline">order {rule.order ?? 0}{rule.enabled === false ? ' · off' : ''}{rule.stop ? ' · stops' : ''}</span>
              <span className="spacer" />
              <button type="button" className="link" onClick={() => setEditing(rule)} aria-label={`Edit ${rule.name}`}>Edit</button>
            </div>
            <p className="rule-text">{describe(rule)}</p>
          </li>
        ))}
        {!rules.length && <li className="quiet">No rules yet.</li>}
      </ol>
    </section>
  );
}

function RuleEditor({ workspace, rule, onCancel, onSaved, onDelete }: {
  workspace: string; rule: Rule; onCancel: () => void; onSaved: (text: string) => void; onDelete: () => void;
}) {
  const [draft, setDraft] = useState<Rule>(rule);
  const [message, setMessage] = useState<Message>(null);
  const set = (change: Partial<Rule>) => setDraft((d) => ({ ...d, ...change }));
  const when = draft.when ?? [];
  const setCondition = (i: number, change: Partial<Condition>) => set({ when: when.map((c, j) => (j === i ? { ...c, ...change } : c)) });
  const setAction = (i: number, change: Partial<Action>) => set({ then: draft.then.map((a, j) => (j === i ? { ...a, ...change } : a)) });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      if (draft.id) await api.saveRule(draft);
      else await api.createRule(workspace, draft);
      onSaved(`Rule "${draft.name}" saved: it applies to the next message.`);
    } catch (e) {
      setMessage(failure(e));
    }
  };
  const title = draft.id ? `Edit rule ${rule.name}` : 'New rule';

  return (
    <div className="card editor">
    <form onSubmit={save} aria-label={title}>
      <h3>{title}</h3>
      <div className="inline">
        <label>Name <input required value={draft.name} onChange={(e) => set({ name: e.target.value })} /></label>
        <label>Order <input type="number" value={draft.order ?? 0} onChange={(e) => set({ order: Number(e.target.value) })} /></label>
        <label className="check"><input type="checkbox" checked={draft.enabled !== false} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled</label>
        <label className="check"><input type="checkbox" checked={draft.stop === true} onChange={(e) => set({ stop: e.target.checked })} /> Stop later rules</label>
      </div>
      <fieldset>
        <legend>When (all of)</legend>
        {when.map((c, i) => {
          const op = operators.find((o) => o.op === (c.op ?? 'equals'));
          return (
            <div className="inline" key={i} role="group" aria-label={`Condition ${i + 1}`}>
              <div className="field">
                <label htmlFor={`condition-${i}-field`}>Field</label>
                <select id={`condition-${i}-field`} value={c.field ?? ''} onChange={(e) => setCondition(i, { field: e.target.value })} disabled={op?.none}>
                  <option value="">—</option>
                  {fields.map((f) => <option key={f} value={f}>{f}</option>)}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`condition-${i}-op`}>Test</label>
                <select id={`condition-${i}-op`} value={c.op ?? 'equals'} onChange={(e) => setCondition(i, { op: e.target.value as Condition['op'], ...(operators.find((o) => o.op === e.target.value)?.none ? { field: undefined } : {}) })}>
                  {operators.map((o) => <option key={o.op} value={o.op}>{o.label}</option>)}
                </select>
              </div>
              <label>{op?.many ? 'Values' : 'Value'}{' '}
                <input value={op?.many ? valuesOf(c).join(', ') : (valuesOf(c)[0] ?? '')} placeholder={op?.many ? 'comma, separated' : ''}
                  onChange={(e) => setCondition(i, { value: undefined, values: op?.many ? splitList(e.target.value) : [e.target.value] })} />
              </label>
              <button type="button" className="link" onClick={() => set({ when: when.filter((_, j) => j !== i) })} aria-label={`Remove condition ${i + 1}`}>Remove</button>
            </div>
          );
        })}
        {!when.length && <p className="quiet-inline">No condition: every message.</p>}
        <button type="button" className="link" onClick={() => set({ when: [...when, { field: 'text', op: 'contains', values: [''] }] })}>Add condition</button>
      </fieldset>
      <fieldset>
        <legend>Then (in order)</legend>
        {draft.then.map((a, i) => {
          const kind = actions.find((x) => x.action === a.action);
          return (
            <div className="inline" key={i} role="group" aria-label={`Action ${i + 1}`}>
              <div className="field">
                <label htmlFor={`action-${i}`}>Action</label>
                <select id={`action-${i}`} value={a.action} onChange={(e) => setAction(i, { action: e.target.value as Action['action'] })}>
                  {actions.map((x) => <option key={x.action} value={x.action}>{x.label}</option>)}
                </select>
              </div>
              {kind?.argument && (
                <label>Argument <input value={a.argument === undefined ? '' : String(a.argument)} placeholder={kind.argument}
                  onChange={(e) => setAction(i, { argument: e.target.value })} /></label>
              )}
              <button type="button" className="link" disabled={draft.then.length === 1}
                onClick={() => set({ then: draft.then.filter((_, j) => j !== i) })} aria-label={`Remove action ${i + 1}`}>Remove</button>
            </div>
          );
        })}
        <button type="button" className="link" onClick={() => set({ then: [...draft.then, { action: 'tag', argument: '' }] })}>Add action</button>
      </fieldset>
      <Notice message={message} />
      <div className="actions">
        <button type="submit">Save rule</button>
        <button type="button" className="link" onClick={onCancel}>Cancel</button>
        {draft.id && <button type="button" className="link danger" onClick={onDelete}>Delete rule</button>}
      </div>
    </form>
    <RuleTester workspace={workspace} rule={draft} />
    </div>
  );
}

// "Test this rule": a message as a customer might write it, through the brand's triage with the
// draft in place; what the rules did, and what triage made of the message.
function RuleTester({ workspace, rule }: { workspace: string; rule: Rule }) {
  const [text, setText] = useState('');
  const [channel, setChannel] = useState('x');
  const [handle, setHandle] = useState('');
  const [followers, setFollowers] = useState('');
  const [result, setResult] = useState<RuleTest | null>(null);
  const [message, setMessage] = useState<Message>(null);

  const test = async () => {
    setMessage(null);
    const input: Record<string, unknown> = { text, channel };
    if (handle || followers) input.author = { handle: handle || 'customer', followers: Number(followers || 0) };
    try {
      setResult(await api.testRule(workspace, input, rule.name ? rule : undefined));
    } catch (e) {
      setResult(null);
      setMessage(failure(e));
    }
  };
  const triage = result?.triage as Record<string, unknown> | undefined;

  return (
    <section className="tester" aria-labelledby="tester-title">
      <h4 id="tester-title">Test this rule</h4>
      <label htmlFor="tester-text">Message</label>
      <textarea id="tester-text" rows={2} value={text} onChange={(e) => setText(e.target.value)} placeholder="What a customer might write" />
      <div className="inline">
        <div className="field">
          <label htmlFor="tester-channel">Channel</label>
          <select id="tester-channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
            {channelKinds.map((c) => <option key={c} value={c}>{channelName(c)}</option>)}
          </select>
        </div>
        <label>Author <input value={handle} onChange={(e) => setHandle(e.target.value)} placeholder="@handle" /></label>
        <label>Followers <input type="number" min={0} value={followers} onChange={(e) => setFollowers(e.target.value)} /></label>
        <button type="button" onClick={() => void test()} disabled={!text.trim()}>Test</button>
      </div>
      <Notice message={message} />
      {result && triage && (
        <div className="test-result" role="status" aria-label="Test result">
          {result.fired !== undefined && (
            <p className={result.fired ? 'answered' : 'error'}><strong>{result.fired ? 'The rule fires.' : 'The rule does not fire.'}</strong></p>
          )}
          <p>Actions: {result.actions.length ? result.actions.map((a) => `${a.rule}: ${a.action}${a.argument ? ` ${a.argument}` : ''}`).join('; ') : 'none'}</p>
          <p>Priority {String(triage.priority)} · tier {String(triage.tier)} · {String(triage.intent)} · {String(triage.polarity)} (sentiment {Number(triage.sentiment).toFixed(1)})
            {triage.language ? ` · ${String(triage.language)}` : ''}</p>
          <p>Tags: {joinList(triage.tags) || 'none'}{result.keyword_hits.length ? ` · keyword tables: ${result.keyword_hits.map((h) => `${h.table} (${h.pattern})`).join(', ')}` : ''}
            {result.filters.length ? ` · filters: ${result.filters.join(', ')}` : ''}</p>
          <details>
            <summary>Why</summary>
            <ul>
              {(triage.reasons as { field: string; value: string; because: string }[]).map((r, i) => <li key={i}>{r.field} = {r.value}: {r.because}</li>)}
            </ul>
          </details>
        </div>
      )}
    </section>
  );
}
