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

// Runs one change a section offers: says what was done, or why it could not be (`failed` may
// word a failure its own way). True when it was done, for what follows on success.
export async function act(
  say: (message: Message) => void,
  change: () => Promise<unknown>,
  what: string,
  failed: (e: unknown) => Message = failure,
): Promise<boolean> {
  try {
    await change();
    say(done(what));
    return true;
  } catch (e) {
    say(failed(e));
    return false;
  }
}
