import { describe, expect, it } from 'vitest';
import type { ResultLinearize } from '../job/result';
import { lossChangeCsv, replacementColumn, sweepCsv } from './linearizeCsv';
import { linearizeExample } from './permalink.testing';

const { result } = linearizeExample();
const linearize = result.linearize as ResultLinearize;
const lines = (text: string) => text.trimEnd().split('\r\n');

describe('sweepCsv(linearize)', () => {
  const rows = lines(sweepCsv(linearize)).map((l) => l.split(','));
  const header = rows[0];
  const col = (name: string) => header.indexOf(name);

  it('has one row per block with the linearized, skipped and cumulative numbers', () => {
    expect(rows).toHaveLength(5);
    expect(header.slice(0, 4)).toEqual(['block', 'map_linearity', 'missing_map_reason', 'linearized_loss']);
    // Block 0: linearized +0.3055 nats, skipped +3.890; last on the cumulative order [2, 3, 1, 0].
    expect(Number(rows[1][col('linearized_loss_increase')])).toBe(0.3055157377384603);
    expect(Number(rows[1][col('skipped_loss_increase')])).toBe(3.890099757816643);
    expect(rows[1][col('cumulative_step')]).toBe('4');
    expect(Number(rows[1][col('cumulative_loss_increase')])).toBe(0.5097978607130549);
    // Block 2, the most linear, is step 1: its cumulative numbers are its own linearized ones.
    expect(rows[3][col('cumulative_step')]).toBe('1');
    expect(rows[3][col('cumulative_loss_increase')]).toBe(rows[3][col('linearized_loss_increase')]);
  });

  it('leaves a block without a map empty, its reason given', () => {
    const noMap = structuredClone(linearize);
    noMap.maps.missing[1] = 'n <= d, 13 tokens';
    noMap.sweep!.blocks[1] = { ...noMap.sweep!.blocks[1], linearity: null, linear: null };
    noMap.sweep!.cumulative = { order: [2, 3, 0], steps: noMap.sweep!.cumulative.steps.slice(0, 3) };
    const row = lines(sweepCsv(noMap))[2];
    expect(row.startsWith('1,,"n <= d, 13 tokens",,,,,')).toBe(true);
    expect(row.endsWith(',,,,,')).toBe(true);
  });
});

describe('lossChangeCsv(tokens, linearize)', () => {
  it('has one row per token and one column per run', () => {
    const rows = lines(lossChangeCsv(result.tokens, linearize));
    expect(rows[0]).toBe('token_index,token_id,token_text,doc,run_1_linear_2');
    expect(rows).toHaveLength(26);
    expect(rows[1]).toBe(`0,${result.tokens[0].id},In,0,0.28404784202575684`);
    // The last token has no next token: no loss change.
    expect(rows[25].endsWith(',')).toBe(true);
  });

  it('names runs by their blocks', () => {
    expect(replacementColumn({ linear: [2, 3], skip: [1] })).toBe('linear_2_3_skip_1');
    expect(replacementColumn({ linear: [], skip: [0] })).toBe('skip_0');
  });
});
