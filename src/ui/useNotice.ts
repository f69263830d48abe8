import { useCallback, useState } from 'react';
import { errorMessage } from './errorMessage';

export interface Notice {
  /** The message of the last file action that failed, null when there is none. */
  readonly notice: string | null;
  readonly setNotice: (notice: string | null) => void;
  /**
   * Wraps a user's file action: success clears the notice (or makes it what the action says it
   * changed, where it returns that), a failure becomes it, and the work on the page stays as it was.
   */
  readonly withNotice: <T>(action: (arg: T) => Promise<unknown>) => (arg: T) => Promise<void>;
}

/** The page's one-line notice for file actions (opening a model, a prompt, a reference file). */
export function useNotice(): Notice {
  const [notice, setNotice] = useState<string | null>(null);
  const withNotice = useCallback(
    <T>(action: (arg: T) => Promise<unknown>) =>
      async (arg: T) => {
        try {
          const said = await action(arg);
          setNotice(typeof said === 'string' ? said : null);
        } catch (error) {
          setNotice(errorMessage(error));
        }
      },
    [],
  );
  return { notice, setNotice, withNotice };
}
