import { useEffect, useRef } from 'react';
import type { PendingDownload } from './useModelChoice';
import './DownloadConsent.css';

interface DownloadConsentProps {
  pending: PendingDownload;
  onConfirm: () => void;
  onDismiss: () => void;
}

/** Asks before a Hub model is downloaded, saying how much (useModelChoice decides when to ask). */
export function DownloadConsent({ pending, onConfirm, onDismiss }: DownloadConsentProps) {
  const box = useRef<HTMLDivElement>(null);
  const allow = useRef<HTMLButtonElement>(null);
  // The question appears where the user's eyes are not (they pressed Analyze): bring it into view
  // and put the keyboard on its answer.
  useEffect(() => {
    box.current?.scrollIntoView?.({ block: 'nearest' });
    allow.current?.focus({ preventScroll: true });
  }, []);
  return (
    <div
      ref={box}
      className="confirm"
      role="alertdialog"
      aria-labelledby="confirm-title"
      data-testid="download-confirm"
    >
      <p id="confirm-title">
        {pending.id} downloads {pending.mb === null ? 'an unknown amount of data' : `about ${pending.mb} MB`}{' '}
        from the Hugging Face Hub (kept in your browser’s cache for next time). Your text stays on this page.
      </p>
      <div className="row">
        <button
          ref={allow}
          type="button"
          className="primary"
          data-testid="confirm-download"
          onClick={onConfirm}
        >
          Allow the download
        </button>
        <button type="button" onClick={onDismiss}>
          Not now
        </button>
      </div>
    </div>
  );
}
