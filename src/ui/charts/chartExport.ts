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

export interface ExportFigure {
  /** Heading drawn above the chart (the model id is often part of it). */
  readonly title: string;
  /** Size of the pieces' area, title band excluded. */
  readonly width: number;
  readonly height: number;
  readonly pieces: readonly ExportPiece[];
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
  figure: Pick<ExportFigure, 'title' | 'width' | 'height' | 'background' | 'foreground'>,
  parts: readonly ComposedPart[],
): string {
  const w = Math.ceil(figure.width);
  const h = Math.ceil(figure.height + TITLE_BAND);
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
    `<text x="4" y="19" font-family="system-ui, sans-serif" font-size="14" font-weight="600" fill="${escapeXml(figure.foreground)}">${escapeXml(figure.title)}</text>`,
    body,
    '</svg>',
  ].join('');
}

/** A clone of the SVG with computed styles inlined and `data-export-skip` parts (hit areas, hover marks) removed. */
export function serializeSvg(svg: SVGSVGElement, width: number, height: number): string {
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
  canvas.width = Math.ceil(figure.width * scale);
  canvas.height = Math.ceil((figure.height + TITLE_BAND) * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('chart export: no 2D canvas');
  ctx.scale(scale, scale);
  ctx.fillStyle = figure.background;
  ctx.fillRect(0, 0, figure.width, figure.height + TITLE_BAND);
  ctx.fillStyle = figure.foreground;
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.fillText(figure.title, 4, 19);
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
