// Admin: dead letters: payloads a platform delivered that were accepted but could not be
// processed, each with the reason. Nothing is lost: the raw payload is kept, can be read, and is
// replayed (processed again) once whatever refused it is fixed.
import { useCallback, useEffect, useState } from 'react';

import { api, type ChannelAccount, type DeadLetter, type DeadLetterDetail } from '../../api/client';
import { channelName } from '../format';
import { act, failure, type Message, Notice } from './common';

export function DeadLetters() {
  const [letters, setLetters] = useState<DeadLetter[]>([]);
  const [accounts, setAccounts] = useState<ChannelAccount[]>([]);
  const [open, setOpen] = useState<DeadLetterDetail | null>(null);
  const [message, setMessage] = useState<Message>(null);

  const load = useCallback(() => {
    api.deadLetters().then((d) => setLetters(d.items)).catch((e) => setMessage(failure(e)));
  }, []);
  useEffect(() => {
    load();
    api.channelAccounts().then((a) => setAccounts(a.items)).catch(() => setAccounts([]));
  }, [load]);
  const accountName = (id: string | null) => (id ? accounts.find((a) => a.id === id)?.name ?? id : '—');

  const show = (id: string) => api.deadLetter(id).then(setOpen).catch((e) => setMessage(failure(e)));
  const replay = async (letter: DeadLetter) => {
    if (await act(setMessage, () => api.replayDeadLetter(letter.id), `Dead letter ${letter.id} is back in the inbox and will be processed again.`)) {
      setOpen(null);
    }
    load();
  };

  return (
    <section className="admin" aria-labelledby="dead-title">
      <header className="admin-head">
        <h2 id="dead-title">Dead letters</h2>
        <span className="spacer" />
        <button type="button" className="link" onClick={load}>Refresh</button>
      </header>
      <p className="hint">What a platform delivered that could not be processed. Fix the cause (a credential, a parser, a rule), then replay.</p>
      <Notice message={message} />
      <div className="table-scroll">
        <table>
          <caption className="sr-only">Dead letters</caption>
          <thead><tr><th scope="col">Received</th><th scope="col">Channel</th><th scope="col">Account</th><th scope="col">Why</th><th scope="col">Tries</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {letters.map((letter) => (
              <tr key={letter.id}>
                <td>{new Date(letter.received_at).toLocaleString()}</td>
                <td>{channelName(letter.channel)}</td>
                <td>{accountName(letter.channel_account_id)}</td>
                <td className="clip" title={letter.error}>{letter.error}</td>
                <td>{letter.attempts}</td>
                <td className="nowrap">
                  <button type="button" className="link" onClick={() => void show(letter.id)} aria-label={`Show dead letter ${letter.id}`}>Show</button>
                  <button type="button" className="link" onClick={() => void replay(letter)} aria-label={`Replay dead letter ${letter.id}`}>Replay</button>
                </td>
              </tr>
            ))}
            {!letters.length && <tr><td colSpan={6} className="quiet">No dead letters: everything delivered was processed.</td></tr>}
          </tbody>
        </table>
      </div>
      {open && (
        <article className="card" aria-label={`Dead letter ${open.id}`}>
          <div className="rule-line">
            <h3>Dead letter {open.id}</h3>
            <span className="spacer" />
            <button type="button" onClick={() => void replay(open)}>Replay</button>
            <button type="button" className="link" onClick={() => setOpen(null)}>Close</button>
          </div>
          <p className="error">{open.error}</p>
          <p className="quiet-inline">{open.source} · {open.size_bytes} bytes · {open.attempts} {open.attempts === 1 ? 'try' : 'tries'}</p>
          <h4>Headers</h4>
          <pre className="payload">{Object.entries(open.headers).map(([k, v]) => `${k}: ${String(v)}`).join('\n')}</pre>
          <h4>Body</h4>
          <pre className="payload">{open.body}</pre>
        </article>
      )}
    </section>
  );
}
