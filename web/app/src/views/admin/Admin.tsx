// Admin: one page with a section for each thing an organisation sets up (C2, C3, C5), shown to
// those whose role may change it. The brand chosen at the top applies to every section that
// belongs to a brand; users and dead letters span the brands the admin may see.
import { useEffect, useState } from 'react';

import { api, type Workspace } from '../../api/client';
import { CannedResponses } from './CannedResponses';
import { ChannelAccounts } from './ChannelAccounts';
import { DeadLetters } from './DeadLetters';
import { KeywordTables } from './KeywordTables';
import { Routing } from './Routing';
import { Rules } from './Rules';
import { Users } from './Users';

interface Section {
  id: string;
  label: string;
  permission: string;
  perBrand: boolean;
}

const sections: Section[] = [
  { id: 'channels', label: 'Channel accounts', permission: 'manage_channels', perBrand: true },
  { id: 'keyword-tables', label: 'Keyword tables', permission: 'manage_content', perBrand: true },
  { id: 'rules', label: 'Rules', permission: 'manage_content', perBrand: true },
  { id: 'canned', label: 'Canned responses', permission: 'manage_content', perBrand: true },
  { id: 'routing', label: 'Teams and agents', permission: 'manage_organisation', perBrand: true },
  { id: 'sla', label: 'SLA and calendars', permission: 'manage_organisation', perBrand: true },
  { id: 'users', label: 'Users and roles', permission: 'manage_users', perBrand: false },
  { id: 'dead-letters', label: 'Dead letters', permission: 'manage_dead_letters', perBrand: false },
];

// Whether the user may see the admin page at all.
export function mayAdminister(permissions: string[]) {
  return sections.some((s) => permissions.includes(s.permission));
}

export function Admin({ permissions }: { permissions: string[] }) {
  const mine = sections.filter((s) => permissions.includes(s.permission));
  const [section, setSection] = useState(mine[0]?.id ?? '');
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  const [workspace, setWorkspace] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    api.workspaces().then((w) => {
      setWorkspaces(w.items);
      setWorkspace((current) => current || (w.items[0]?.id ?? ''));
    }).catch((e: Error) => setError(e.message));
  }, []);

  const current = mine.find((s) => s.id === section) ?? mine[0];
  return (
    <div className="admin-layout">
      <nav className="admin-nav" aria-label="Admin sections">
        <h2>Admin</h2>
        <ul>
          {mine.map((s) => (
            <li key={s.id}>
              <button type="button" className="link" aria-current={current?.id === s.id ? 'page' : undefined}
                onClick={() => setSection(s.id)}>{s.label}</button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-body">
        {current?.perBrand && (
          <div className="brand-pick">
            <label htmlFor="admin-brand">Brand</label>
            <select id="admin-brand" value={workspace} onChange={(e) => setWorkspace(e.target.value)}>
              {workspaces.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
            </select>
          </div>
        )}
        {error && <p className="error" role="alert">{error}</p>}
        {current && (!current.perBrand || workspace) && (
          <SectionView id={current.id} workspace={workspace} workspaces={workspaces} />
        )}
      </div>
    </div>
  );
}

function SectionView({ id, workspace, workspaces }: { id: string; workspace: string; workspaces: Workspace[] }) {
  switch (id) {
    case 'channels':
      return <ChannelAccounts key={workspace} workspace={workspace} />;
    case 'keyword-tables':
      return <KeywordTables key={workspace} workspace={workspace} />;
    case 'rules':
      return <Rules key={workspace} workspace={workspace} />;
    case 'canned':
      return <CannedResponses key={workspace} workspace={workspace} />;
    case 'routing':
      return <Routing key={workspace} workspace={workspace} part="organisation" />;
    case 'sla':
      return <Routing key={workspace} workspace={workspace} part="service" />;
    case 'users':
      return <Users workspaces={workspaces} />;
    case 'dead-letters':
      return <DeadLetters />;
    default:
      return null;
  }
}
