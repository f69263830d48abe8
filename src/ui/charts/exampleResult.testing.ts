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
