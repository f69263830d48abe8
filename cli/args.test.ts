import { describe, expect, it } from 'vitest';
import { parseArgs } from './args';

const base = ['analyze', '--model', 'm', '--text', 'hi'];

describe('parseArgs(): the reference choice', () => {
  it('takes the model’s own text as the reference with --own-text-reference', () => {
    const args = parseArgs([...base, '--own-text-reference']);
    expect(args).toMatchObject({
      command: 'analyze',
      ownTextReference: true,
      reference: null,
      noReference: false,
    });
    expect(parseArgs(base)).toMatchObject({ ownTextReference: false });
  });

  it('refuses two reference choices at once, naming both', () => {
    expect(() => parseArgs([...base, '--own-text-reference', '--no-reference'])).toThrow(
      '--no-reference and --own-text-reference exclude each other',
    );
    expect(() => parseArgs([...base, '--reference', 'r.txt', '--own-text-reference'])).toThrow(
      '--reference and --own-text-reference exclude each other',
    );
    expect(() => parseArgs([...base, '--reference', 'r.txt', '--no-reference'])).toThrow(
      '--reference and --no-reference exclude each other',
    );
  });

  it('has no reference for stats', () => {
    expect(() =>
      parseArgs(['stats', '--model', 'm', '--input', 'x.txt', '--out', 'o', '--own-text-reference']),
    ).toThrow(/--own-text-reference/);
  });
});
