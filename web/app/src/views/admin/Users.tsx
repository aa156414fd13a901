// Admin: users and roles (C5.1). Each user has one role and may be restricted to brands; a
// disabled user's sessions end at once. A new user is created with a password the admin hands
// over.
import { type FormEvent, useCallback, useEffect, useState } from 'react';

import { api, type Role, type User, type Workspace } from '../../api/client';
import { act, done, failure, type Message, Notice } from './common';

const roles: { role: Role; label: string; what: string }[] = [
  { role: 'admin', label: 'Admin', what: 'everything, including users, channels and dead letters' },
  { role: 'supervisor', label: 'Supervisor', what: 'takes over, keyword tables, rules and canned responses' },
  { role: 'team_leader', label: 'Team leader', what: 'assigns and reassigns' },
  { role: 'agent', label: 'Agent', what: 'answers conversations' },
  { role: 'approver', label: 'Approver', what: 'approves answers that need it' },
  { role: 'analyst', label: 'Analyst', what: 'reads, changes nothing' },
];

export function Users({ workspaces }: { workspaces: Workspace[] }) {
  const [users, setUsers] = useState<User[]>([]);
  const [message, setMessage] = useState<Message>(null);
  const load = useCallback(() => {
    api.users().then((u) => setUsers(u.items)).catch((e) => setMessage(failure(e)));
  }, []);
  useEffect(load, [load]);
  const brandName = (id: string) => workspaces.find((w) => w.id === id)?.name ?? id;

  const change = async (user: User, patch: Parameters<typeof api.changeUser>[1], what: string) => {
    await act(setMessage, () => api.changeUser(user.id, patch), what);
    load();
  };

  return (
    <section className="admin" aria-labelledby="users-title">
      <header className="admin-head">
        <h2 id="users-title">Users and roles</h2>
      </header>
      <dl className="roles">
        {roles.map((r) => <div key={r.role}><dt>{r.label}</dt><dd>{r.what}</dd></div>)}
      </dl>
      <Notice message={message} />
      <div className="table-scroll">
        <table>
          <caption className="sr-only">Users</caption>
          <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Brands</th><th scope="col">State</th></tr></thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id} className={user.disabled ? 'disabled' : undefined}>
                <td><strong>{user.display_name || user.email}</strong><br /><span className="quiet-inline">{user.email}</span></td>
                <td>
                  <select aria-label={`Role of ${user.email}`} value={user.role}
                    onChange={(e) => void change(user, { role: e.target.value as Role }, `${user.email} is now ${roles.find((r) => r.role === e.target.value)?.label ?? e.target.value}.`)}>
                    {roles.map((r) => <option key={r.role} value={r.role}>{r.label}</option>)}
                  </select>
                </td>
                <td>{user.workspace_ids.length ? user.workspace_ids.map(brandName).join(', ') : 'all'}</td>
                <td>
                  {user.disabled ? 'Disabled' : 'Active'}{' · '}
                  <button type="button" className="link inline-link" onClick={() => void change(user, { disabled: !user.disabled }, `${user.email} ${user.disabled ? 'enabled' : 'disabled: their sessions are ended'}.`)}
                    aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.email}`}>{user.disabled ? 'Enable' : 'Disable'}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <NewUser workspaces={workspaces} onCreated={(email) => { setMessage(done(`${email} created: hand them the password.`)); load(); }} />
    </section>
  );
}

function NewUser({ workspaces, onCreated }: { workspaces: Workspace[]; onCreated: (email: string) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [password, setPassword] = useState('');
  const [brands, setBrands] = useState<string[]>([]);
  const [message, setMessage] = useState<Message>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api.createUser({ email, role, password, ...(name ? { display_name: name } : {}), ...(brands.length ? { workspace_ids: brands } : {}) });
      onCreated(email);
      setEmail(''); setName(''); setPassword(''); setBrands([]); setMessage(null);
    } catch (e) {
      setMessage(failure(e));
    }
  };

  return (
    <form className="card editor" onSubmit={create} aria-label="New user">
      <h3>New user</h3>
      <div className="inline">
        <label>Email <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" /></label>
        <label>Name <input value={name} onChange={(e) => setName(e.target.value)} /></label>
        <label htmlFor="new-user-role">Role</label>
        <select id="new-user-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {roles.map((r) => <option key={r.role} value={r.role}>{r.label}</option>)}
        </select>
        <label>Password <input type="password" required minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" /></label>
      </div>
      <fieldset className="members">
        <legend>Brands (none ticked: all)</legend>
        {workspaces.map((w) => (
          <label key={w.id} className="check">
            <input type="checkbox" checked={brands.includes(w.id)} onChange={(e) => setBrands(e.target.checked ? [...brands, w.id] : brands.filter((b) => b !== w.id))} /> {w.name}
          </label>
        ))}
      </fieldset>
      <Notice message={message} />
      <div className="actions"><button type="submit">Create user</button></div>
    </form>
  );
}
