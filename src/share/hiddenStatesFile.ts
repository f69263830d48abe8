/**
 * A job's hidden states as a safetensors file: `hidden_states` [L+1, T, d], `last_block_output`
 * [T, d], `input_ids` [T] (contract.md, `--dump-hidden`; the page's "hidden states" download).
 */
import type { JobOutput } from '../job/analyze';
import { writeSafetensors } from './safetensors';

export function hiddenStatesFile(
  output: Pick<JobOutput, 'head' | 'states' | 'lastBlockOutput' | 'ids'>,
): Uint8Array {
  const { states, lastBlockOutput, ids, head } = output;
  return writeSafetensors(
    {
      hidden_states: {
        dtype: 'F32',
        shape: [states.states, states.tokens, states.hidden],
        data: states.data,
      },
      last_block_output: { dtype: 'F32', shape: [states.tokens, states.hidden], data: lastBlockOutput },
      input_ids: { dtype: 'I64', shape: [ids.length], data: BigInt64Array.from(ids, BigInt) },
    },
    { model: head.model.id, dtype: head.model.dtype, generator: `linscope ${head.generator.version}` },
  );
}
