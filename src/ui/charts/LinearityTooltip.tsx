import { formatScore } from './format';
import type { LinearityLayout, PairColumn } from './linearityLayout';
import { linearityTooltipPosition, pairRole } from './linearityTooltip';
import './tooltip.css';

interface LinearityTooltipProps {
  readonly layout: LinearityLayout;
  readonly col: PairColumn;
  /** Its id: the hovered target's `aria-describedby`. */
  readonly id: string;
}

/** Every number of one pair, with why a score is missing. */
export function LinearityTooltip({ layout, col, id }: LinearityTooltipProps) {
  const r = col.record;
  const role = pairRole(col);
  return (
    <div
      id={id}
      role="tooltip"
      className="lsc-tooltip"
      data-testid="linearity-tooltip"
      data-layer={col.layer}
      style={linearityTooltipPosition(layout, col)}
    >
      <strong>Pair {col.label}</strong>
      {role && <div className="lsc-tooltip__note">{role}</div>}
      {!r ? (
        <div>Pending: not scored yet.</div>
      ) : (
        <table>
          <tbody>
            <tr>
              <th scope="row">with residual</th>
              <td>{formatScore(r.linearity)}</td>
            </tr>
            <tr>
              <th scope="row">without residual</th>
              <td>{formatScore(r.linearityNoResidual)}</td>
            </tr>
            <tr>
              <th scope="row">held-out{r.heldOut ? ` (${r.heldOut.source})` : ''}</th>
              <td>{formatScore(r.heldOut?.linearity)}</td>
            </tr>
            <tr>
              <th scope="row">held-out, no residual</th>
              <td>{formatScore(r.heldOut?.linearityNoResidual)}</td>
            </tr>
            <tr>
              <th scope="row">chance floor</th>
              <td>{formatScore(r.chanceFloor)}</td>
            </tr>
            <tr>
              <th scope="row">n, d, rank</th>
              <td>
                {r.n}, {r.d}, {r.rank ?? '—'}
              </td>
            </tr>
            {r.heldOut && (
              <tr>
                <th scope="row">held-out n (fit)</th>
                <td>
                  {r.heldOut.n} ({r.heldOut.nFit})
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {r?.reason && <div className="lsc-tooltip__note">In-sample: {r.reason}</div>}
      {r?.heldOut?.reason && <div className="lsc-tooltip__note">Held-out: {r.heldOut.reason}</div>}
    </div>
  );
}
