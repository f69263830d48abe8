import { describe, expect, it } from 'vitest';
import {
  CAPTION_LINE,
  captionBand,
  captionLines,
  composeSvg,
  escapeXml,
  inlineStyle,
  isHighlightClass,
  TITLE_BAND,
} from './chartExport';

describe('escapeXml()', () => {
  it('escapes markup characters so a hostile title cannot break the SVG', () => {
    expect(escapeXml('<script>"a" & \'b\'</script>')).toBe(
      '&lt;script&gt;&quot;a&quot; &amp; &apos;b&apos;&lt;/script&gt;',
    );
  });
});

describe('inlineStyle(get)', () => {
  it('keeps the listed properties that have a value', () => {
    const style: Record<string, string> = {
      fill: 'rgb(1, 2, 3)',
      stroke: ' none ',
      'font-size': '',
      color: 'red',
    };
    expect(inlineStyle((p) => style[p] ?? '')).toBe('fill:rgb(1, 2, 3);stroke:none');
  });

  it('leaves out what the parent already has, full opacity and visible display', () => {
    const child: Record<string, string> = { fill: 'red', stroke: 'blue', opacity: '1', display: 'inline' };
    const parent: Record<string, string> = { fill: 'red', stroke: 'green', opacity: '0.5', display: 'block' };
    expect(
      inlineStyle(
        (p) => child[p] ?? '',
        (p) => parent[p] ?? '',
      ),
    ).toBe('stroke:blue');
    expect(
      inlineStyle(
        (p) => ({ ...child, opacity: '0.5', display: 'none' })[p] ?? '',
        (p) => parent[p] ?? '',
      ),
    ).toBe('stroke:blue;opacity:0.5;display:none');
  });
});

describe('composeSvg(figure, parts)', () => {
  const figure = {
    title: 'Linearity <model>',
    width: 300.4,
    height: 100,
    background: '#fff',
    foreground: '#000',
  };

  it('places SVG parts and images below the title band on the background', () => {
    const svg = composeSvg(figure, [
      { kind: 'svg', markup: '<svg width="10" height="10"></svg>', x: 5, y: 7 },
      { kind: 'image', href: 'data:image/png;base64,AAA=', x: 52, y: 0, width: 200, height: 80 },
    ]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain(`width="301" height="${100 + TITLE_BAND}"`);
    expect(svg).toContain('<rect width="100%" height="100%" fill="#fff"/>');
    expect(svg).toContain('Linearity &lt;model&gt;</text>');
    expect(svg).toContain(
      `<g transform="translate(5,${7 + TITLE_BAND})"><svg width="10" height="10"></svg></g>`,
    );
    expect(svg).toContain(`<image x="52" y="${TITLE_BAND}" width="200" height="80"`);
    expect(svg.endsWith('</svg>')).toBe(true);
  });
});

describe('captionLines(caption, width) and captionBand(figure)', () => {
  const caption = 'model linscope/tiny-gpt2 · dtype fp32 · n = 148 tokens · d = 64 · no reference · LinScope';

  it('keeps a caption that fits on one line, and breaks a long one between its parts', () => {
    expect(captionLines(caption, 1000)).toEqual([caption]);
    const lines = captionLines(caption, 200);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(' · ')).toBe(caption);
    for (const line of lines) expect(line.startsWith(' ')).toBe(false);
    expect(captionLines('', 300)).toEqual([]);
  });

  it('makes room for every line under the pieces, and none without a caption', () => {
    expect(captionBand({ caption, width: 1000 })).toBe(8 + CAPTION_LINE);
    expect(captionBand({ width: 1000 })).toBe(0);
  });
});

describe('isHighlightClass(name)', () => {
  it('takes BEM --focus modifiers as highlights and nothing else', () => {
    expect(isHighlightClass('lsc-tick--focus')).toBe(true);
    expect(isHighlightClass('lsc-rowlabel--focus')).toBe(true);
    expect(isHighlightClass('lsc-focus')).toBe(false);
    expect(isHighlightClass('lsc-tick')).toBe(false);
  });
});

describe('composeSvg(figure with labels and a caption, parts)', () => {
  it('draws axis titles (vertical ones turned) and the caption under the pieces', () => {
    const svg = composeSvg(
      {
        title: 't',
        width: 400,
        height: 100,
        background: '#fff',
        foreground: '#000',
        labels: [
          { text: 'layer pair (l → l+1)', x: 13, y: 50, anchor: 'middle', vertical: true },
          { text: 'token', x: 200, y: 90, anchor: 'middle' },
        ],
        caption: 'model m · d = 64 & <n>',
      },
      [],
    );
    expect(svg).toContain(`height="${100 + TITLE_BAND + 8 + CAPTION_LINE}"`);
    expect(svg).toContain(`transform="rotate(-90 13 ${50 + TITLE_BAND})"`);
    expect(svg).toMatch(/data-figure-label="">layer pair \(l → l\+1\)<\/text>/);
    expect(svg).toMatch(/<text x="200" y="118" text-anchor="middle"[^>]*>token<\/text>/);
    expect(svg).toContain('data-figure-caption="">model m · d = 64 &amp; &lt;n&gt;</text>');
  });
});
