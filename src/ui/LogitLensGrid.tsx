import type { LinScopeResult, ResultLogitLens } from '../job/result';
import { ChartFrame } from './charts/ChartFrame';
import { tokenLabel } from './charts/tokenLabel';
import { useElementWidth } from './charts/useElementWidth';
import { LENS_STATE_COLUMN, lensWindow } from './logitLensWindow';
import './LogitLensGrid.css';

interface LogitLensGridProps {
  result: Pick<LinScopeResult, 'tokens'>;
  lens: ResultLogitLens;
  /** The token the grid centres on (null: the start of the text). */
  focusToken: number | null;
  onFocusToken: (token: number) => void;
}

/**
 * The logit lens as a grid: for each state (rows, embeddings at the top) and token (columns), the
 * token the model would predict next if it stopped at that state, shaded by its probability.
 */
export function LogitLensGrid({ result, lens, focusToken, onFocusToken }: LogitLensGridProps) {
  const T = result.tokens.length;
  const [boxRef, width] = useElementWidth<HTMLDivElement>();
  // As many columns as the card holds; long token texts are cut with "…" (whole in the tooltip).
  const { start, tokens: columns } = lensWindow(width, T, focusToken);
  const states = lens.topId.length;
  return (
    <ChartFrame
      testId="logit-lens"
      title="Logit lens"
      subtitle={`Tokens ${start + 1}–${start + columns.length} of ${T} · the final norm and unembedding applied to every state`}
      explainer={
        <>
          Each cell is the token the model would predict next if it stopped at that layer: the model's final
          norm and unembedding are applied to the state there. Darker cells are more confident. The bottom row
          is the model's own prediction; watch where a prediction first appears on the way down.
        </>
      }
      rootAttributes={{ 'data-states': states, 'data-start': start }}
    >
      <div ref={boxRef} className="lens-grid__box">
        <table className="lens-grid">
          <colgroup>
            <col style={{ width: LENS_STATE_COLUMN }} />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">State</th>
              {columns.map((t) => (
                <th key={t} scope="col">
                  <button
                    type="button"
                    className={`lens-grid__token${t === focusToken ? ' is-focused' : ''}`}
                    onClick={() => onFocusToken(t)}
                    title={`Token #${t} “${result.tokens[t].text}”: centre the grid here`}
                  >
                    {tokenLabel(result.tokens[t].text)}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {lens.topId.map((row, s) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a row is a state; its index is its identity.
              <tr key={s}>
                <th scope="row">{s === 0 ? 'embeddings' : s === states - 1 ? `${s} (output)` : s}</th>
                {columns.map((t) => {
                  const prob = lens.topProb[s][t];
                  const loss = lens.nextLoss[s][t];
                  const text = lens.tokenText[row[t]] ?? '';
                  return (
                    <td
                      key={t}
                      data-state={s}
                      data-token={t}
                      data-top-id={row[t]}
                      data-prob={prob}
                      style={{ '--lens-p': prob.toFixed(3) } as React.CSSProperties}
                      title={`“${text}” ${(prob * 100).toFixed(1)}%${loss === null ? '' : ` · next-token loss ${loss.toFixed(2)} nats`}`}
                    >
                      {tokenLabel(text)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </ChartFrame>
  );
}
