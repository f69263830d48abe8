/**
 * How a text longer than the model's context is run: split into consecutive, non-overlapping
 * windows of at most `maxLength` ids. Nothing is dropped. When the text starts with a BOS token
 * (the tokenizer adds one), every later window gets its own BOS in front, so each window starts the
 * way the model saw documents start in training; those added BOS tokens are run but their states are
 * not kept, so every token of the text appears exactly once in the result.
 */
export interface TokenWindow {
  /** The ids to run. */
  ids: number[];
  /** States of window positions before this are not kept (1 for an added BOS, else 0). */
  keepFrom: number;
  /** Index of the first kept token in the whole text's ids. */
  textStart: number;
}

export function planWindows(ids: readonly number[], maxLength: number, bos: number | null): TokenWindow[] {
  if (!Number.isInteger(maxLength) || maxLength < 2)
    throw new RangeError(`window length must be an integer >= 2, got ${maxLength}`);
  const windows: TokenWindow[] = [];
  const addBos = bos !== null && ids[0] === bos;
  let start = 0;
  while (start < ids.length) {
    const first = windows.length === 0;
    const prefix = !first && addBos ? [bos as number] : [];
    const take = Math.min(ids.length - start, maxLength - prefix.length);
    windows.push({
      ids: [...prefix, ...ids.slice(start, start + take)],
      keepFrom: prefix.length,
      textStart: start,
    });
    start += take;
  }
  return windows;
}
