import { useCallback, useState } from 'react';
import { errorMessage } from './errorMessage';

export interface Notice {
  /** The message of the last file action that failed, null when there is none. */
  readonly notice: string | null;
  readonly setNotice: (notice: string | null) => void;
  /**
   * Wraps a user's file action: success clears the notice, a failure becomes it, and the work on
   * the page stays as it was.
   */
  readonly withNotice: <T>(action: (arg: T) => Promise<void>) => (arg: T) => Promise<void>;
}

/** The page's one-line notice for file actions (opening a model, a prompt, a reference file). */
export function useNotice(): Notice {
  const [notice, setNotice] = useState<string | null>(null);
  const withNotice = useCallback(
    <T>(action: (arg: T) => Promise<void>) =>
      async (arg: T) => {
        try {
          await action(arg);
          setNotice(null);
        } catch (error) {
          setNotice(errorMessage(error));
        }
      },
    [],
  );
  return { notice, setNotice, withNotice };
}
