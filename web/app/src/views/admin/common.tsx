// What the admin sections share.
import { reasonOf } from '../../api/client';

// A message for the section: what was done (a status) or what went wrong (an alert).
export function Notice({ message }: { message: Message }) {
  if (!message) return null;
  return <p className={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'}>{message.text}</p>;
}

// A comma-separated list as typed, and back.
export const splitList = (text: string) => text.split(',').map((t) => t.trim()).filter(Boolean);
export const joinList = (items: unknown) => (Array.isArray(items) ? items.map(String).join(', ') : '');

export type Message = { text: string; error: boolean } | null;
export const failure = (e: unknown): Message => ({ text: reasonOf(e), error: true });
export const done = (text: string): Message => ({ text, error: false });

