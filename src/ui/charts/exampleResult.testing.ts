import { readFileSync } from 'node:fs';
import type { LinScopeResult } from '../../job/result';

/** The recorded stories260K result (148 tokens, 5 pairs, d = 64), for tests only. */
export function loadExampleResult(): LinScopeResult {
  return JSON.parse(
    readFileSync(
      new URL('../../../tests/fixtures/results/stories260k-example.json', import.meta.url),
      'utf8',
    ),
  ) as LinScopeResult;
}

/**
 * The CLI's `linscope linearize` on tiny-gpt2 (25 tokens, 4 blocks; block 2 linearized, the
 * sweep, 8-token continuations), with its `linearize` section; for tests only.
 */
export function loadLinearizeExample(): LinScopeResult & {
  linearize: NonNullable<LinScopeResult['linearize']>;
} {
  return JSON.parse(
    readFileSync(
      new URL('../../../tests/fixtures/results/tiny-gpt2-linearize.json', import.meta.url),
      'utf8',
    ),
  );
}
