import { useEffect, useRef } from 'react';

const shortcuts: [string, string][] = [
  ['j', 'next conversation'],
  ['k', 'previous conversation'],
  ['r', 'reply'],
  ['t', 'tag'],
  ['a', 'assign to me'],
  ['e', 'close (resolve)'],
  ['Ctrl+Enter', 'send the reply'],
  ['Esc', 'leave the reply box, close this'],
  ['?', 'these shortcuts'],
];

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" onClick={onClose}>
      <div className="dialog" onClick={(e) => e.stopPropagation()}>
        <h2 id="help-title">Keyboard shortcuts</h2>
        <dl>
          {shortcuts.map(([key, what]) => (
            <div key={key}>
              <dt><kbd>{key}</kbd></dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <button type="button" ref={close} onClick={onClose}>Close</button>
      </div>
    </div>
  );
}
