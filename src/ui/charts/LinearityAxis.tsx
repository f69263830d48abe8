import { LINEARITY_X_TITLE, LINEARITY_Y_TITLE, type LinearityLayout } from './linearityLayout';

interface LinearityAxisProps {
  readonly layout: LinearityLayout;
  readonly focusLayer: number | null;
}

/** Text under the pair at either end of the model, saying where its states come from or go. */
function endMark(isFirst: boolean, isLast: boolean): string {
  if (isFirst && isLast) return 'emb. → final norm';
  return isFirst ? 'from emb.' : 'to final norm';
}

/**
 * The score gridlines with their labels, one tick per pair: its label (thinned when columns are
 * narrow, the focused pair in bold) and, at the ends, where the states come from or go; and the
 * two axis titles. `data-domain` on the group is the score axis' [bottom, top].
 */
export function LinearityAxis({ layout, focusLayer }: LinearityAxisProps) {
  const { yBottom, yTop, margin } = layout;
  const several = layout.pairs.length > 1;
  const yTitleX = 14;
  const yTitleY = (yTop + yBottom) / 2;
  return (
    <g className="lsc-axis" data-domain={layout.yDomain.join(',')}>
      <text
        className="lsc-axis-title"
        x={yTitleX}
        y={yTitleY}
        textAnchor="middle"
        transform={`rotate(-90 ${yTitleX} ${yTitleY})`}
        data-axis-title="y"
      >
        {LINEARITY_Y_TITLE}
      </text>
      <text
        className="lsc-axis-title"
        x={(margin.left + layout.width - margin.right) / 2}
        y={yBottom + 50}
        textAnchor="middle"
        data-axis-title="x"
      >
        {LINEARITY_X_TITLE}
      </text>
      {layout.yTicks.map((t) => (
        <g key={t.value} className="lsc-ytick" data-value={t.value}>
          <line x1={margin.left} x2={layout.width - margin.right} y1={t.y} y2={t.y} className="lsc-grid" />
          <text x={margin.left - 6} y={t.y} dy="0.32em" textAnchor="end">
            {t.label}
          </text>
        </g>
      ))}
      {layout.pairs.map((p) => {
        // The first pair's mark reads rightwards from its tick, the last's leftwards.
        const startsHere = p.isFirst && !p.isLast && several;
        return (
          <g key={p.layer} className={focusLayer === p.layer ? 'lsc-tick lsc-tick--focus' : 'lsc-tick'}>
            <line x1={p.x} x2={p.x} y1={yBottom} y2={yBottom + 4} />
            {p.showLabel && (
              <text x={p.x} y={yBottom + 16} textAnchor="middle">
                {p.label}
              </text>
            )}
            {(p.isFirst || p.isLast) && (
              <text
                x={p.x}
                y={yBottom + 30}
                textAnchor={startsHere ? 'start' : 'end'}
                dx={startsHere ? -6 : 6}
                className="lsc-mark"
                data-mark={p.isFirst && p.isLast ? 'first last' : p.isFirst ? 'first' : 'last'}
              >
                {endMark(p.isFirst, p.isLast)}
              </text>
            )}
          </g>
        );
      })}
    </g>
  );
}
