// The supervisor's wallboard (C6): how loud it is (messages a minute, live, spikes marked), how
// long the queues are and who waits longest, what is about to breach its SLA, and who is there to
// answer, with their load; a conversation at risk can be taken over or given to someone else.
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, MarkPointComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef, useState } from 'react';

import { type Agent, api, type InboxItem, type Team, type Workspace, reasonOf } from '../api/client';
import { countdown, nextDeadline } from './format';

echarts.use([BarChart, GridComponent, MarkPointComponent, TooltipComponent, SVGRenderer]);

interface Board {
  workspace: Workspace;
  teams: Team[];
  agents: Agent[];
  open: InboxItem[];
}

const minute = (t: number) => Math.floor(t / 60_000);

export function Wallboard({ change, buzz }: { change: number; buzz: number[] }) {
  const [boards, setBoards] = useState<Board[]>([]);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const workspaces = (await api.workspaces()).items;
        const loaded = await Promise.all(workspaces.map(async (workspace) => {
          const [teams, agents, open] = await Promise.all([api.teams(workspace.id), api.agents(workspace.id), api.openConversations(workspace.id)]);
          return { workspace, teams: teams.items, agents: agents.items, open: open.items };
        }));
        if (!cancelled) { setBoards(loaded); setError(''); }
      } catch (e) {
        if (!cancelled) setError((e as Error).message);
      }
    }, 150);
    return () => { cancelled = true; clearTimeout(timer); };
  }, [change]);

  const act = async (what: Promise<unknown>, done: string) => {
    try {
      await what;
      setNotice(done);
    } catch (e) {
      setNotice(reasonOf(e));
    }
  };

  return (
    <section className="wallboard" aria-labelledby="wallboard-title">
      <h2 id="wallboard-title">Wallboard</h2>
      {error && <p className="error" role="alert">{error}</p>}
      {notice && <p className="notice" role="status">{notice}</p>}
      <Buzz buzz={buzz} now={now} workspaces={boards.map((b) => b.workspace.id)} />
      {boards.map((board) => (
        <BrandBoard key={board.workspace.id} board={board} now={now}
          onTake={(c) => act(api.take(c.id), 'Taken over: it is yours now.')}
          onAssign={(c, agent) => act(api.assign(c.id, agent.id, 'reassigned from the wallboard'), `Given to ${agent.display_name}.`)} />
      ))}
    </section>
  );
}

// Customers' messages a minute over the last 30 minutes, across the brands: what the server
// counted up to the last look (every 15 s), and the live events since.
function Buzz({ buzz, now, workspaces }: { buzz: number[]; now: number; workspaces: string[] }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const [history, setHistory] = useState<{ counts: Map<number, number>; at: number }>({ counts: new Map(), at: 0 });
  const brands = workspaces.join(',');
  useEffect(() => {
    if (!brands) return;
    let cancelled = false;
    const at = Date.now();
    Promise.all(brands.split(',').map((w) => api.buzz(w))).then((answers) => {
      if (cancelled) return;
      const counts = new Map<number, number>();
      for (const answer of answers) {
        for (const m of answer.minutes) counts.set(minute(Date.parse(m.at)), (counts.get(minute(Date.parse(m.at))) ?? 0) + m.messages);
      }
      setHistory({ counts, at });
    }).catch(() => undefined);  // the live events still count
    return () => { cancelled = true; };
  }, [brands, now]);
  const series = useMemo(() => {
    const last = minute(now);
    const counts = new Map(history.counts);
    for (const t of buzz) if (t > history.at) counts.set(minute(t), (counts.get(minute(t)) ?? 0) + 1);
    return Array.from({ length: 30 }, (_, i) => {
      const m = last - 29 + i;
      return { label: new Date(m * 60_000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }), count: counts.get(m) ?? 0 };
    });
  }, [buzz, now, history]);
  const mean = series.reduce((s, p) => s + p.count, 0) / series.length;
  const spikes = series.filter((p) => p.count >= 5 && p.count > 3 * Math.max(mean, 1));

  useEffect(() => {
    if (!element.current) return;
    chart.current = echarts.init(element.current, undefined, { renderer: 'svg' });
    return () => chart.current?.dispose();
  }, []);
  useEffect(() => {
    chart.current?.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 24, bottom: 28 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: series.map((p) => p.label) },
      yAxis: { type: 'value', minInterval: 1, name: 'per minute' },
      series: [{
        type: 'bar', name: 'Messages', data: series.map((p) => p.count), itemStyle: { color: '#1f4fd1' },
        markPoint: { data: spikes.map((p) => ({ name: 'spike', coord: [p.label, p.count], value: 'spike' })), itemStyle: { color: '#b3261e' } },
      }],
    });
  }, [series, spikes]);
  const total = series.reduce((s, p) => s + p.count, 0);
  return (
    <article className="card" aria-labelledby="buzz-title">
      <h3 id="buzz-title">Buzz: {total} {total === 1 ? 'message' : 'messages'} in the last 30 minutes{spikes.length ? <span className="spike"> · spike at {spikes.map((s) => s.label).join(', ')}</span> : null}</h3>
      <div ref={element} className="chart" role="img" aria-label={`Messages a minute; ${total} in the last 30 minutes`} />
    </article>
  );
}

function BrandBoard({ board, now, onTake, onAssign }: {
  board: Board;
  now: number;
  onTake: (c: InboxItem) => void;
  onAssign: (c: InboxItem, agent: Agent) => void;
}) {
  const queued = board.open.filter((c) => c.status === 'queued');
  const atRisk = board.open
    .map((c) => ({ c, due: nextDeadline(c) }))
    .filter((x) => x.due && Date.parse(x.due) - now < 15 * 60_000)
    .sort((a, b) => Date.parse(a.due!) - Date.parse(b.due!));
  const load = (agent: Agent) => board.open.filter((c) => c.assignee_id === agent.id).length;
  const agentName = (id: string | null | undefined) => board.agents.find((a) => a.id === id)?.display_name ?? 'nobody';
  return (
    <>
      <article className="card" aria-labelledby={`queues-${board.workspace.id}`}>
        <h3 id={`queues-${board.workspace.id}`}>{board.workspace.name}: queues</h3>
        <table>
          <thead><tr><th scope="col">Team</th><th scope="col">Waiting</th><th scope="col">Oldest waiting</th></tr></thead>
          <tbody>
            {board.teams.map((team) => {
              const waiting = queued.filter((c) => c.team_id === team.id);
              const oldest = waiting.map((c) => c.opened_at).filter((t): t is string => Boolean(t)).sort()[0];
              return (
                <tr key={team.id}>
                  <td>{team.name}</td>
                  <td>{waiting.length}</td>
                  <td>{oldest ? `${Math.max(0, Math.round((now - Date.parse(oldest)) / 60_000))} min` : '—'}</td>
                </tr>
              );
            })}
            {!board.teams.length && <tr><td colSpan={3} className="quiet">No teams: routing is off for this brand.</td></tr>}
          </tbody>
        </table>
      </article>
      <article className="card" aria-labelledby={`risk-${board.workspace.id}`}>
        <h3 id={`risk-${board.workspace.id}`}>{board.workspace.name}: SLA at risk</h3>
        {!atRisk.length && <p className="quiet">Nothing due in the next 15 minutes.</p>}
        <ul className="risk">
          {atRisk.map(({ c, due }) => {
            const left = countdown(due, now)!;
            return (
              <li key={c.id}>
                <span className={left.late ? 'due late' : 'due'}>{left.text}</span>
                <span>{c.customer?.display_name ?? 'Customer'} · priority {c.priority} · {agentName(c.assignee_id)}</span>
                <button type="button" onClick={() => onTake(c)}>Take over</button>
                <label>
                  <span className="sr-only">Give {c.customer?.display_name ?? 'this conversation'} to</span>
                  <select defaultValue="" onChange={(e) => {
                    const agent = board.agents.find((a) => a.id === e.target.value);
                    if (agent) onAssign(c, agent);
                  }}>
                    <option value="" disabled>Give to…</option>
                    {board.agents.map((a) => <option key={a.id} value={a.id}>{a.display_name}</option>)}
                  </select>
                </label>
              </li>
            );
          })}
        </ul>
      </article>
      <article className="card" aria-labelledby={`agents-${board.workspace.id}`}>
        <h3 id={`agents-${board.workspace.id}`}>{board.workspace.name}: agents</h3>
        <table>
          <thead><tr><th scope="col">Agent</th><th scope="col">Presence</th><th scope="col">Load</th></tr></thead>
          <tbody>
            {board.agents.map((agent) => (
              <tr key={agent.id}>
                <td>{agent.display_name}</td>
                <td>
                  <span className={`presence ${agent.presence ?? 'offline'}`}>{agent.presence ?? 'offline'}</span>
                  {agent.on_shift === false ? <span className="quiet-inline"> · off shift</span> : null}
                  {agent.presence === 'offline' && agent.status && agent.status !== 'offline' ? <span className="quiet-inline"> · not connected</span> : null}
                </td>
                <td>{agent.load ?? load(agent)} / {agent.max_concurrent ?? 5}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </article>
    </>
  );
}
