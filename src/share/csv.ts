/**
 * The numbers behind the charts as CSV (RFC 4180: CRLF rows, fields quoted when they hold a quote,
 * comma or line break). Token text is user input: a cell that a spreadsheet would read as a
 * formula is defused with a leading single quote (OWASP "CSV injection").
 */
import type { LayerPairRecord, StateRecord } from '../analysis';
import type { ResultPerToken, ResultToken } from '../job/result';

/**
 * What the CSV writers read: a `LinScopeResult`, or one still arriving (pairs not yet scored are
 * `undefined` and become empty cells).
 */
export interface CsvResult {
  readonly tokens: readonly ResultToken[];
  readonly layers: readonly (LayerPairRecord | null | undefined)[];
  readonly states?: readonly (StateRecord | null | undefined)[];
  readonly perToken?: ResultPerToken | null;
}

type Cell = string | number | boolean | null | undefined;

/** First characters that make Excel, LibreOffice or Sheets evaluate a cell (tab and CR too, per OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A free-text cell: formula guard, then quoting. */
export function textField(text: string): string {
  return quoteField(FORMULA_START.test(text) ? `'${text}` : text);
}

/**
 * A number, boolean or empty cell. Numbers keep full precision (`String(x)` round-trips), and a
 * negative number is data, not a formula, so it is never prefixed.
 */
export function valueField(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return textField(value);
}

function quoteField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Header and rows (fields already written by `valueField` / `textField`) as CSV text. */
export function csvText(header: readonly string[], rows: readonly string[][]): string {
  return [header.map(quoteField), ...rows].map((row) => `${row.join(',')}\r\n`).join('');
}

const LAYER_COLUMNS = [
  'pair_from',
  'pair_to',
  'is_first',
  'is_last',
  'linearity',
  'linearity_no_residual',
  'n',
  'd',
  'chance_floor',
  'rank',
  'reason',
  'held_out_source',
  'held_out_linearity',
  'held_out_linearity_no_residual',
  'held_out_n',
  'held_out_n_fit',
  'held_out_reason',
  'cosine',
  'update_ratio',
  'flash_threshold',
  'flash_count',
] as const;

/** One row per layer pair with every per-pair number; pairs not yet scored keep only their indices. */
export function layersCsv(result: CsvResult): string {
  const rows = result.layers.map((layer, l) => {
    const flashRow = result.perToken?.flash[l];
    const flashCount = flashRow ? flashRow.reduce((a, b) => a + b, 0) : null;
    if (!layer) return [valueField(l), valueField(l + 1), ...LAYER_COLUMNS.slice(2).map(() => '')];
    const h = layer.heldOut;
    const cells: Cell[] = [
      layer.pair[0],
      layer.pair[1],
      layer.isFirst,
      layer.isLast,
      layer.linearity,
      layer.linearityNoResidual,
      layer.n,
      layer.d,
      layer.chanceFloor,
      layer.rank,
      layer.reason,
      h?.source,
      h?.linearity,
      h?.linearityNoResidual,
      h?.n,
      h?.nFit,
      h?.reason,
      layer.cosine,
      layer.updateRatio,
      result.perToken?.flashThreshold[l],
      flashCount,
    ];
    return cells.map(valueField);
  });
  return csvText(LAYER_COLUMNS, rows);
}

/** One row per state (0..L): anisotropy and intrinsic dimension. */
export function statesCsv(result: CsvResult): string {
  const rows = (result.states ?? []).map((s, i) => [
    valueField(s?.index ?? i),
    valueField(s?.anisotropy),
    valueField(s?.intrinsicDimension),
  ]);
  return csvText(['state', 'anisotropy', 'intrinsic_dimension'], rows);
}

/**
 * One row per token: index, id, text, doc, then one column per layer pair with the relative
 * non-linearity (`pair_0_1`, ...), then the matching flash flags (`flash_0_1`, ...). Without a
 * reference (`perToken` null) only the token columns are written.
 */
export function perTokenCsv(result: CsvResult): string {
  const pt = result.perToken ?? null;
  const L = pt ? Math.max(result.layers.length, pt.nonlinearity.length) : 0;
  const pairs = Array.from({ length: L }, (_, l) => `${l}_${l + 1}`);
  const header = [
    'token_index',
    'token_id',
    'token_text',
    'doc',
    ...pairs.map((p) => `pair_${p}`),
    ...pairs.map((p) => `flash_${p}`),
  ];
  const rows = result.tokens.map((token, t) => [
    valueField(t),
    valueField(token.id),
    textField(token.text),
    valueField(token.doc),
    ...pairs.map((_, l) => valueField(pt?.nonlinearity[l]?.[t])),
    ...pairs.map((_, l) => {
      const flag = pt?.nonlinearity[l] ? pt.flash[l]?.[t] : undefined;
      return flag === undefined ? '' : valueField(flag === 1);
    }),
  ]);
  return csvText(header, rows);
}

/**
 * A Blob for download: UTF-8, no byte-order mark. A mark would make Excel guess the encoding, but it
 * lands in the first column's name for pandas, numpy, R and `csv` readers (`\ufeffpair`); Excel
 * users import the file as UTF-8 (Data > From Text/CSV).
 */
export function csvBlob(text: string): Blob {
  return new Blob([text], { type: 'text/csv;charset=utf-8' });
}
