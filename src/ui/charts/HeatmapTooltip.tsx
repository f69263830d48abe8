import type { ReactNode } from 'react';
import { pairLabel } from './chartResult';
import { dataValue, formatRelative } from './format';
import type { HeatmapCellInfo, HeatmapTooltipPosition } from './heatmapCellInfo';
import type { HeatmapCell } from './heatmapCursor';
import { tokenLabel } from './tokenLabel';
import './tooltip.css';

interface HeatmapTooltipProps {
  readonly cell: HeatmapCell;
  readonly info: HeatmapCellInfo;
  readonly position: HeatmapTooltipPosition;
  /** Extra rows from the page (the logit lens's top token). */
  readonly extra?: ReactNode;
}

/** The cursor's cell: its token, pair, value and whether it is a flash. */
export function HeatmapTooltip({ cell, info, position, extra }: HeatmapTooltipProps) {
  const { token, value } = info;
  return (
    <div
      className="lsc-tooltip"
      data-testid="heatmap-tooltip"
      data-layer={cell.layer}
      data-token={cell.token}
      data-value={dataValue(value)}
      style={position}
    >
      <strong className="lsc-token-chip">{tokenLabel(token.text)}</strong>
      <table>
        <tbody>
          <tr>
            <th scope="row">token</th>
            <td>
              #{cell.token}
              {token.doc > 0 ? ` (text ${token.doc})` : ''}
            </td>
          </tr>
          <tr>
            <th scope="row">layer pair</th>
            <td>{pairLabel(cell.layer)}</td>
          </tr>
          <tr>
            <th scope="row">value</th>
            <td>
              {value === undefined ? 'pending' : `${formatRelative(value)} ×`}
              {value === null ? ' (no map)' : ''}
            </td>
          </tr>
          {info.excluded && (
            <tr>
              <th scope="row">in-sample fits</th>
              <td>left out</td>
            </tr>
          )}
          <tr>
            <th scope="row">flash</th>
            <td>
              {info.flash ? 'yes' : 'no'}
              {info.threshold !== null ? ` (≥ ${formatRelative(info.threshold)})` : ''}
            </td>
          </tr>
        </tbody>
      </table>
      {extra}
    </div>
  );
}
