/**
 * Charts out of the page as SVG and PNG files. A chart is a set of pieces (its SVGs, and for the
 * heatmap a canvas) placed on one figure. SVGs are serialised with their computed styles inlined,
 * because the stylesheet and the CSS variables of the theme do not travel with the file; a canvas
 * goes in as an embedded PNG. The PNG draws each piece onto one canvas at 2x.
 */

/** One drawn piece of a chart, placed on the figure in CSS pixels. */
export interface ExportPiece {
  readonly element: SVGSVGElement | HTMLCanvasElement;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A line of text drawn on the figure beside its pieces (an axis title the pieces lack). */
export interface FigureLabel {
  readonly text: string;
  /** Anchor point in the pieces' coordinates (CSS pixels; the title band is added on top). */
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'middle' | 'end';
  /** Turned a quarter anticlockwise about its anchor, reading upwards (a y-axis title). */
  readonly vertical?: boolean;
}

export interface ExportFigure {
  /** Heading drawn above the chart (the model id is often part of it). */
  readonly title: string;
  /** Size of the pieces' area, title band and caption excluded. */
  readonly width: number;
  readonly height: number;
  readonly pieces: readonly ExportPiece[];
  /** Axis titles and other text drawn over the pieces' area. */
  readonly labels?: readonly FigureLabel[];
  /** What the numbers come from (model, dtype, n, d, reference), drawn under the figure. */
  readonly caption?: string;
  /** Page background and text colours, resolved from the theme. */
  readonly background: string;
  readonly foreground: string;
}

/** The figure's pieces after serialisation: SVG markup or an image (data URL). */
export type ComposedPart =
  | { readonly kind: 'svg'; readonly markup: string; readonly x: number; readonly y: number }
  | {
      readonly kind: 'image';
      readonly href: string;
      readonly x: number;
      readonly y: number;
      readonly width: number;
      readonly height: number;
    };

export const TITLE_BAND = 28;
/** Height of one caption line, and the space above the caption. */
export const CAPTION_LINE = 15;
const CAPTION_GAP = 8;
/** The caption's and labels' type. */
const CAPTION_FONT_SIZE = 11;
const LABEL_FONT_SIZE = 12;
const FONT_FAMILY = 'system-ui, sans-serif';
/** Average advance of a character of 11px UI type: a layout estimate for wrapping the caption. */
const CAPTION_CHAR_WIDTH = 5.9;

/**
 * The caption in lines that fit `width`, broken between its ` · ` parts (a part longer than the
 * width gets a line of its own).
 */
export function captionLines(caption: string, width: number): string[] {
  if (caption === '') return [];
  const perLine = Math.max(20, Math.floor(width / CAPTION_CHAR_WIDTH));
  const lines: string[] = [];
  for (const part of caption.split(' · ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 3 + part.length <= perLine) lines[last] += ` · ${part}`;
    else lines.push(part);
  }
  return lines;
}

/** Height of the band under the pieces that holds the caption (0 without one). */
export function captionBand(figure: Pick<ExportFigure, 'caption' | 'width'>): number {
  const lines = captionLines(figure.caption ?? '', figure.width).length;
  return lines === 0 ? 0 : CAPTION_GAP + lines * CAPTION_LINE;
}

/** Properties that make an SVG look the same outside the page. */
const INLINED = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'paint-order',
  'visibility',
  'display',
] as const;

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/**
 * A `style` attribute value from a computed style, leaving out properties with no value and, when
 * the parent's computed style is given, inherited ones equal to the parent's (so the file is not
 * every property on every element). `opacity` and `display` are not inherited: written only when
 * they hide or fade something.
 */
export function inlineStyle(
  get: (property: string) => string,
  parent?: (property: string) => string,
): string {
  return INLINED.map((p) => [p, get(p).trim()] as const)
    .filter(([p, v]) => {
      if (v === '') return false;
      if (p === 'opacity') return v !== '1';
      if (p === 'display') return v === 'none';
      return !parent || parent(p).trim() !== v;
    })
    .map(([p, v]) => `${p}:${v}`)
    .join(';');
}

/** The whole figure as one standalone SVG document. */
export function composeSvg(
  figure: Pick<
    ExportFigure,
    'title' | 'width' | 'height' | 'background' | 'foreground' | 'labels' | 'caption'
  >,
  parts: readonly ComposedPart[],
): string {
  const w = Math.ceil(figure.width);
  const h = Math.ceil(figure.height + TITLE_BAND + captionBand(figure));
  const fg = escapeXml(figure.foreground);
  const labels = (figure.labels ?? [])
    .map((l) => {
      const y = l.y + TITLE_BAND;
      const turn = l.vertical ? ` transform="rotate(-90 ${l.x} ${y})"` : '';
      return `<text x="${l.x}" y="${y}" text-anchor="${l.anchor}"${turn} font-family="${FONT_FAMILY}" font-size="${LABEL_FONT_SIZE}" fill="${fg}" data-figure-label="">${escapeXml(l.text)}</text>`;
    })
    .join('');
  const captionTop = TITLE_BAND + figure.height + CAPTION_GAP;
  const caption = captionLines(figure.caption ?? '', figure.width)
    .map(
      (line, i) =>
        `<text x="4" y="${captionTop + (i + 0.75) * CAPTION_LINE}" font-family="${FONT_FAMILY}" font-size="${CAPTION_FONT_SIZE}" fill="${fg}" data-figure-caption="">${escapeXml(line)}</text>`,
    )
    .join('');
  const body = parts
    .map((p) =>
      p.kind === 'svg'
        ? `<g transform="translate(${p.x},${p.y + TITLE_BAND})">${p.markup}</g>`
        : `<image x="${p.x}" y="${p.y + TITLE_BAND}" width="${p.width}" height="${p.height}" preserveAspectRatio="none" href="${escapeXml(p.href)}"/>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
    `<rect width="100%" height="100%" fill="${escapeXml(figure.background)}"/>`,
    `<text x="4" y="19" font-family="${FONT_FAMILY}" font-size="14" font-weight="600" fill="${fg}">${escapeXml(figure.title)}</text>`,
    body,
    labels,
    caption,
    '</svg>',
  ].join('');
}

/**
 * A class that marks a highlight, a BEM `--focus` modifier (`lsc-tick--focus`,
 * `lsc-rowlabel--focus`): the focused pair, row or token is the reader's choice on screen, not part
 * of the figure, so an export is styled as if nothing were focused.
 */
export function isHighlightClass(name: string): boolean {
  return /^[\w-]+--focus$/.test(name);
}

/**
 * Runs `read` with every highlight class under `root` taken off, and puts them back before
 * returning: synchronous, so the page is never painted without them.
 */
function withoutHighlights<T>(root: Element, read: () => T): T {
  const changed: [Element, string][] = [];
  for (const el of [root, ...root.querySelectorAll('[class]')]) {
    const names = el.getAttribute('class');
    if (!names) continue;
    const list = names.split(/\s+/).filter(Boolean);
    const kept = list.filter((name) => !isHighlightClass(name));
    if (kept.length === list.length) continue;
    changed.push([el, names]);
    el.setAttribute('class', kept.join(' '));
  }
  try {
    return read();
  } finally {
    for (const [el, names] of changed) el.setAttribute('class', names);
  }
}

/**
 * A clone of the SVG with computed styles inlined as if nothing were focused, and
 * `data-export-skip` parts (hit areas, hover marks, focus bands, picked blocks) removed.
 */
export function serializeSvg(svg: SVGSVGElement, width: number, height: number): string {
  return withoutHighlights(svg, () => serializeStyled(svg, width, height));
}

function serializeStyled(svg: SVGSVGElement, width: number, height: number): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [clone, ...clone.querySelectorAll('*')];
  originals.forEach((el, i) => {
    const copy = copies[i];
    if (!(copy instanceof Element)) return;
    const computed = getComputedStyle(el);
    const parent = el === svg || !el.parentElement ? null : getComputedStyle(el.parentElement);
    const style = inlineStyle(
      (p) => computed.getPropertyValue(p),
      parent ? (p) => parent.getPropertyValue(p) : undefined,
    );
    if (style) copy.setAttribute('style', style);
    else copy.removeAttribute('style');
    copy.removeAttribute('class');
    copy.removeAttribute('tabindex');
    copy.removeAttribute('data-export');
  });
  for (const skip of clone.querySelectorAll('[data-export-skip]')) skip.remove();
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  if (!clone.getAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  return new XMLSerializer().serializeToString(clone);
}

function composedParts(figure: ExportFigure): ComposedPart[] {
  return figure.pieces.map((p) =>
    p.element instanceof HTMLCanvasElement
      ? {
          kind: 'image',
          href: p.element.toDataURL('image/png'),
          x: p.x,
          y: p.y,
          width: p.width,
          height: p.height,
        }
      : { kind: 'svg', markup: serializeSvg(p.element, p.width, p.height), x: p.x, y: p.y },
  );
}

export function figureSvg(figure: ExportFigure): string {
  return composeSvg(figure, composedParts(figure));
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('chart export: the SVG could not be drawn'));
    img.src = url;
  });
}

/** The figure as PNG at `scale` device pixels per CSS pixel (default 2, sharp on print and retina). */
export async function figurePng(figure: ExportFigure, scale = 2): Promise<Blob> {
  const canvas = document.createElement('canvas');
  const fullHeight = figure.height + TITLE_BAND + captionBand(figure);
  canvas.width = Math.ceil(figure.width * scale);
  canvas.height = Math.ceil(fullHeight * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('chart export: no 2D canvas');
  ctx.scale(scale, scale);
  ctx.fillStyle = figure.background;
  ctx.fillRect(0, 0, figure.width, fullHeight);
  ctx.fillStyle = figure.foreground;
  ctx.font = `600 14px ${FONT_FAMILY}`;
  ctx.fillText(figure.title, 4, 19);
  ctx.font = `${LABEL_FONT_SIZE}px ${FONT_FAMILY}`;
  for (const label of figure.labels ?? []) {
    ctx.save();
    ctx.translate(label.x, label.y + TITLE_BAND);
    if (label.vertical) ctx.rotate(-Math.PI / 2);
    ctx.textAlign = label.anchor === 'middle' ? 'center' : label.anchor;
    ctx.fillText(label.text, 0, 0);
    ctx.restore();
  }
  ctx.font = `${CAPTION_FONT_SIZE}px ${FONT_FAMILY}`;
  const captionTop = TITLE_BAND + figure.height + CAPTION_GAP;
  captionLines(figure.caption ?? '', figure.width).forEach((line, i) => {
    ctx.fillText(line, 4, captionTop + (i + 0.75) * CAPTION_LINE);
  });
  for (const piece of figure.pieces) {
    if (piece.element instanceof HTMLCanvasElement) {
      // The canvas itself, not a copy through SVG: no resampling beyond the one drawImage.
      ctx.drawImage(piece.element, piece.x, piece.y + TITLE_BAND, piece.width, piece.height);
      continue;
    }
    const markup = serializeSvg(piece.element, piece.width, piece.height);
    const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml;charset=utf-8' }));
    try {
      ctx.drawImage(await loadImage(url), piece.x, piece.y + TITLE_BAND, piece.width, piece.height);
    } finally {
      URL.revokeObjectURL(url);
    }
  }
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error('chart export: PNG encoding failed'))),
      'image/png',
    ),
  );
}

/**
 * Pieces found in the DOM: every `[data-export]` SVG or canvas under `root`, placed where it is on
 * screen relative to the root. Right for charts that do not scroll; the heatmap places its own.
 */
export function piecesFromDom(root: Element): { pieces: ExportPiece[]; width: number; height: number } {
  const origin = root.getBoundingClientRect();
  const pieces: ExportPiece[] = [];
  let width = 0;
  let height = 0;
  for (const el of root.querySelectorAll('[data-export]')) {
    if (!(el instanceof SVGSVGElement || el instanceof HTMLCanvasElement)) continue;
    const r = el.getBoundingClientRect();
    const piece = {
      element: el,
      x: r.left - origin.left,
      y: r.top - origin.top,
      width: r.width,
      height: r.height,
    };
    pieces.push(piece);
    width = Math.max(width, piece.x + piece.width);
    height = Math.max(height, piece.y + piece.height);
  }
  return { pieces, width, height };
}

/** Theme colours of an element, for the exported background and title. */
export function themeColors(el: Element): { background: string; foreground: string } {
  const style = getComputedStyle(el);
  return {
    background: style.getPropertyValue('--bg').trim() || '#ffffff',
    foreground: style.getPropertyValue('--fg').trim() || '#1c1e21',
  };
}
