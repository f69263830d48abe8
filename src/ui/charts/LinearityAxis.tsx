import type { LinearityLayout } from './linearityLayout';

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
 * The score gridlines with their labels, and one tick per pair: its label (thinned when columns
 * are narrow, the focused pair in bold) and, at the ends, where the states come from or go.
 */
export function LinearityAxis({ layout, focusLayer }: LinearityAxisProps) {
  const { yBottom, margin } = layout;
  const several = layout.pairs.length > 1;
  return (
    <g className="lsc-axis">
      {layout.yTicks.map((t) => (
        <g key={t.value}>
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
