/**
 * `linscope analyze --save-fit` / `--load-fit`: the reference fit written once serves a later run
 * with the same result, bit for bit, and is refused (exit 2, one line naming what differs) for
 * another dtype, sampling or reference.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinScopeResult } from '../../src/job/result';
import { readFitFile } from '../../src/share/fitFile';
import { linscope } from '../support/cli';
import { ROOT } from '../support/models';

const MODEL = join(ROOT, 'public/models/linscope/tiny-gpt2');
const TEXT = 'In the beginning God created the heaven and the earth. A hacker enjoys exploring the details.';

describe('linscope analyze --save-fit / --load-fit', () => {
  let work: string;
  let fitPath: string;
  let saved: LinScopeResult;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'linscope-fit-'));
    fitPath = join(work, 'fit.safetensors');
    const out = join(work, 'saved.json');
    const r = linscope('analyze', '--model', MODEL, '--text', TEXT, '--save-fit', fitPath, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    saved = JSON.parse(readFileSync(out, 'utf8'));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes the fit with what it was fitted for', () => {
    const { parts, fitted } = readFitFile(new Uint8Array(readFileSync(fitPath)), 'fit.safetensors');
    const { fit } = fitted;
    expect(parts).toMatchObject({
      model: 'linscope/tiny-gpt2|main|fp32|cpu',
      dtype: 'fp32',
      reference: 'bundled:reference-en.txt',
      sampling: 'reference/v2 seeded-windows seed 1: 4096 tokens in windows of 256',
    });
    expect(fit.d).toBe(128);
    expect(fit.n).toBe(4096);
    expect(fitted.composition.tokens).toBe(4096);
    expect(fitted.heldOutFlashRate).toHaveLength(4);
    expect(fitted.seenIds.length).toBeGreaterThan(100);
    expect(fit.pairs).toHaveLength(4);
    expect(fit.pairs[0]?.map.weights).toHaveLength(128 * 128);
  });

  it('gives the same result, bit for bit, from the loaded fit', () => {
    const out = join(work, 'loaded.json');
    const r = linscope('analyze', '--model', MODEL, '--text', TEXT, '--load-fit', fitPath, '--out', out);
    expect(r.status).toBe(0);
    const loaded: LinScopeResult = JSON.parse(readFileSync(out, 'utf8'));
    expect(loaded.layers).toEqual(saved.layers);
    expect(loaded.perToken).toEqual(saved.perToken);
    expect(loaded.perToken?.reference.tokens).toBe(4096);
  });

  it('refuses a fit made for another dtype, sampling or reference, naming what differs', () => {
    const refused = (args: string[], pattern: RegExp) => {
      const out = join(work, 'refused.json');
      const r = linscope(
        'analyze',
        '--model',
        MODEL,
        '--text',
        TEXT,
        '--load-fit',
        fitPath,
        '--out',
        out,
        ...args,
      );
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(() => readFileSync(out)).toThrow();
    };
    refused(
      ['--dtype', 'q8'],
      /fit\.safetensors was fitted for another dtype \(fp32\), and this run needs q8/,
    );
    refused(
      ['--window', '128'],
      /another reference sampling \(reference\/v2 seeded-windows seed 1: 4096 tokens in windows of 256\)/,
    );
    const other = join(work, 'other.txt');
    writeFileSync(other, 'A different reference corpus.\n\nWith two documents.');
    refused(
      ['--reference', other],
      /another reference corpus \(bundled:reference-en\.txt\), and this run needs user:other\.txt/,
    );
    const notAFit = join(work, 'not-a-fit.safetensors');
    writeFileSync(notAFit, 'hello');
    const r = linscope('analyze', '--model', MODEL, '--text', TEXT, '--load-fit', notAFit);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not-a-fit\.safetensors is not a LinScope fit file/);
  });

  it('records the weights it was made with: refused for another checkpoint under the same name, taken for the same files elsewhere', () => {
    const { fitted } = readFitFile(new Uint8Array(readFileSync(fitPath)), 'fit.safetensors');
    expect(fitted.weights).toMatch(/^[0-9a-f]{16}$/);
    // The fine-tune's step 200 has other weights; in a folder with the same last two names it is
    // "linscope/tiny-gpt2" to the fit file, as the model the fit was made for is.
    const other = join(work, 'other', 'linscope', 'tiny-gpt2');
    cpSync(join(ROOT, 'public/models/fixtures/tiny-gpt2-finetune/step-200'), other, { recursive: true });
    const refused = linscope('analyze', '--model', other, '--text', TEXT, '--load-fit', fitPath);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `fit\\.safetensors was fitted for other weights of this model \\(fingerprint ${fitted.weights}; these are [0-9a-f]{16}`,
      ),
    );
    const same = join(work, 'same', 'linscope', 'tiny-gpt2');
    cpSync(MODEL, same, { recursive: true });
    const out = join(work, 'same.json');
    const taken = linscope('analyze', '--model', same, '--text', TEXT, '--load-fit', fitPath, '--out', out);
    expect(taken.stderr).toBe('');
    expect(taken.status).toBe(0);
    expect((JSON.parse(readFileSync(out, 'utf8')) as LinScopeResult).perToken).toEqual(saved.perToken);
  });

  it('refuses --save-fit without a reference', () => {
    const r = linscope('analyze', '--model', MODEL, '--text', TEXT, '--no-reference', '--save-fit', fitPath);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/need a reference/);
  });
});
