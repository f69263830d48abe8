import { useState } from 'react';
import type { PermalinkBuild } from '../share/permalink';
import { DEFAULT_URL_BUDGET } from '../share/permalink';
import type { AnalysisOrigin, VerifyStatus } from './usePermalink';
import './SharePanel.css';

interface SharePanelProps {
  origin: AnalysisOrigin | null;
  /** Builds the link for what is on screen (null when there is nothing to share). */
  onBuild: () => (PermalinkBuild & { url: string }) | null;
  onDownloadFile: () => void;
  verify: VerifyStatus;
  onVerify: () => void;
  busy: boolean;
}

const CONTENTS: Record<PermalinkBuild['contents'], string> = {
  results: 'the model, settings and text, the layer scores and the heatmap (8-bit)',
  'layer-scores': 'the model, settings and text, and the layer scores',
  inputs: 'the model, settings and text',
};

const kb = (chars: number) => `${(chars / 1024).toFixed(1)} KB`;

function originLine(origin: AnalysisOrigin): string | null {
  switch (origin.kind) {
    case 'run':
      return null;
    case 'link': {
      const cells = origin.quantisation.cellRelative;
      return `Restored from a link (quantised): no model was run. Layer scores are stored as float32${
        cells === null ? '' : `; heatmap cells to within ${(cells * 100).toFixed(1)}%`
      }.`;
    }
    case 'file':
      return `Opened from ${origin.name}: no model was run.`;
    case 'recent':
      return `Restored from this browser’s recent analyses (saved ${new Date(origin.savedAt).toLocaleString()}).`;
  }
}

/** Share what is on screen: a permalink (copied to the clipboard), a file when the link cannot hold it all, and re-run checks. */
export function SharePanel({ origin, onBuild, onDownloadFile, verify, onVerify, busy }: SharePanelProps) {
  const [link, setLink] = useState<(PermalinkBuild & { url: string }) | null>(null);
  const [copied, setCopied] = useState<string | null>(null);

  const share = async () => {
    const built = onBuild();
    setLink(built);
    if (!built) return;
    try {
      await navigator.clipboard.writeText(built.url);
      setCopied('Link copied to the clipboard.');
    } catch {
      setCopied('The clipboard is not available here: select the link and copy it.');
    }
  };

  const line = origin ? originLine(origin) : null;
  return (
    <div className="share-panel" data-testid="share-panel">
      {line && (
        <p className="share-panel__origin" data-testid="result-origin" data-origin={origin?.kind}>
          {line}
        </p>
      )}
      <div className="row">
        <button type="button" data-testid="share-button" onClick={share}>
          Share a link
        </button>
        <button type="button" data-testid="download-linscope" onClick={onDownloadFile}>
          Download .linscope.json
        </button>
        {origin?.kind === 'link' && (
          <button type="button" data-testid="verify-button" onClick={onVerify} disabled={busy}>
            Re-run to verify
          </button>
        )}
      </div>
      {link && (
        <div className="share-panel__link">
          <label>
            Permalink{' '}
            <input
              readOnly
              data-testid="share-link"
              data-contents={link.contents}
              data-experiment={link.withExperiment ? '' : undefined}
              data-length={link.urlLength}
              value={link.url}
              onFocus={(e) => e.target.select()}
            />
          </label>
          <p className="hint" data-testid="share-info" aria-live="polite">
            {copied} {kb(link.urlLength)}: holds {CONTENTS[link.contents]}
            {link.withExperiment ? ', and the block-replacement experiment (float32)' : ''}. The part after
            “#” never reaches a server.
            {link.leftOut.length > 0 &&
              ` Left out to keep the link under ${kb(DEFAULT_URL_BUDGET)}: ${link.leftOut.join('; ')}. Download the .linscope.json file to share everything.`}
            {link.overBudget &&
              ` The text alone makes the link longer than ${kb(DEFAULT_URL_BUDGET)}: some apps cut long links, so the file is safer.`}
          </p>
        </div>
      )}
      {verify && (
        <p
          className={`share-panel__verify${verify.kind === 'done' && !verify.outcome.agrees ? ' share-panel__verify--differs' : ''}`}
          data-testid="verify-outcome"
          data-state={verify.kind === 'done' ? (verify.outcome.agrees ? 'agrees' : 'differs') : verify.kind}
          data-score-diff={verify.kind === 'done' ? verify.outcome.scoreDiff : undefined}
          data-score-quantisation={verify.kind === 'done' ? verify.outcome.scoreQuantisation : undefined}
          data-cell-diff={verify.kind === 'done' ? (verify.outcome.cellDiff ?? '') : undefined}
          data-cell-quantisation={
            verify.kind === 'done' ? (verify.outcome.cellQuantisation ?? '') : undefined
          }
          aria-live="polite"
        >
          {verify.kind === 'running'
            ? 'Re-running the analysis to compare with the link…'
            : verify.kind === 'failed'
              ? verify.message
              : verify.outcome.summary}
        </p>
      )}
    </div>
  );
}
