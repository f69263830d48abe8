import type { ReplacementSpec } from '../../job/result';

/** "1", "1 and 3", "0, 1 and 3". */
function blockList(blocks: readonly number[]): string {
  if (blocks.length <= 1) return blocks.join('');
  return `${blocks.slice(0, -1).join(', ')} and ${blocks[blocks.length - 1]}`;
}

function part(blocks: readonly number[], what: string): string {
  return `${blocks.length === 1 ? 'block' : 'blocks'} ${blockList(blocks)} ${what}`;
}

/** What a run changed, as a heading: "Block 2 linearized", "Blocks 1 and 3 skipped", or both. */
export function runLabel(spec: ReplacementSpec): string {
  const parts = [];
  if (spec.linear.length) parts.push(part(spec.linear, 'linearized'));
  if (spec.skip.length) parts.push(part(spec.skip, 'skipped'));
  const text = parts.join(', ') || 'nothing changed';
  return text[0].toUpperCase() + text.slice(1);
}
