// How times, deadlines and channels read in the app.
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

// "12 min left", "overdue 3 min"
export function countdown(iso: string | undefined, now = Date.now()): { text: string; late: boolean } | null {
  if (!iso) return null;
  const minutes = Math.round((Date.parse(iso) - now) / 60000);
  if (minutes < 0) return { text: `overdue ${-minutes} min`, late: true };
  if (minutes < 120) return { text: `${minutes} min left`, late: false };
  return { text: `${Math.round(minutes / 60)} h left`, late: false };
}

const channelNames: Record<string, string> = {
  x: 'X', facebook: 'Facebook', instagram: 'Instagram', whatsapp: 'WhatsApp', email: 'Email', webchat: 'Chat', generic: 'Review',
};
export const channelName = (channel: string) => channelNames[channel] ?? channel;
// Every channel kind, in the order people list them.
export const channelKinds = ['x', 'facebook', 'instagram', 'whatsapp', 'email', 'webchat', 'generic'];

export function earliest(...dates: (string | undefined)[]): string | undefined {
  const set = dates.filter((d): d is string => Boolean(d));
  return set.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

// The deadline the team works to now: the first response until it is given, then the next
// response and the resolution. None while the customer has the turn.
export function nextDeadline(c: { status: string; first_response_at?: string; sla?: { first_response_due?: string; next_response_due?: string; resolution_due?: string } }) {
  if (c.status === 'waiting_on_customer' || c.status === 'resolved' || c.status === 'closed') return undefined;
  return earliest(c.first_response_at ? undefined : c.sla?.first_response_due, c.sla?.next_response_due, c.sla?.resolution_due);
}

// "48k", "1.2M"
export function reach(followers: number | undefined): string {
  if (!followers) return '';
  if (followers >= 1_000_000) return `${(followers / 1_000_000).toFixed(1)}M`;
  if (followers >= 1000) return `${Math.round(followers / 1000)}k`;
  return String(followers);
}
