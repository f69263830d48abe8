import type { LinkMessage } from './usePermalink';
import './LinkMessageBox.css';

const TITLES: Record<LinkMessage['kind'], (source: LinkMessage['source']) => string> = {
  error: (source) => `This ${source} could not be opened; nothing from it was used.`,
  notes: (source) => `Opened from a ${source}, with notes:`,
  working: () => 'Opening in the background (the page stays usable):',
};

interface LinkMessageBoxProps {
  message: LinkMessage;
  onDismiss: () => void;
}

/**
 * What opening a link or a file (`.linscope.json`, stats files, hidden states) said: why it failed,
 * the notes it opened with, or which files are being read.
 */
export function LinkMessageBox({ message, onDismiss }: LinkMessageBoxProps) {
  return (
    <div
      className={`link-message link-message--${message.kind}`}
      role={message.kind === 'error' ? 'alert' : 'status'}
      aria-busy={message.kind === 'working'}
      data-testid="link-message"
      data-kind={message.kind}
    >
      <p className="link-message__title">{TITLES[message.kind](message.source)}</p>
      <ul>
        {message.lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <button type="button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
