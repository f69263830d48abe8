import type { LinkMessage } from './usePermalink';
import './LinkMessageBox.css';

interface LinkMessageBoxProps {
  message: LinkMessage;
  onDismiss: () => void;
}

/** What opening a link or a `.linscope.json` file said: why it failed, or the notes it opened with. */
export function LinkMessageBox({ message, onDismiss }: LinkMessageBoxProps) {
  return (
    <div
      className={`link-message link-message--${message.kind}`}
      role={message.kind === 'error' ? 'alert' : 'status'}
      data-testid="link-message"
      data-kind={message.kind}
    >
      <p className="link-message__title">
        {message.kind === 'error'
          ? `This ${message.source} could not be opened; nothing from it was used.`
          : `Opened from a ${message.source}, with notes:`}
      </p>
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
