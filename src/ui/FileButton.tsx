import type { ReactNode } from 'react';
import './FileButton.css';

interface FileButtonProps {
  children: ReactNode;
  testId: string;
  accept?: string;
  multiple?: boolean;
  /** Pick a folder (every file in it, with `webkitRelativePath`) instead of files. */
  directory?: boolean;
  onFiles: (files: File[]) => void;
}

/**
 * A link-styled file picker. The input is cleared after each pick, so picking the same file again
 * (after fixing it on disk) is seen as a new pick.
 */
export function FileButton({ children, testId, accept, multiple, directory, onFiles }: FileButtonProps) {
  return (
    <label className="file-button">
      {children}
      <input
        type="file"
        data-testid={testId}
        accept={accept}
        multiple={multiple || directory}
        // Non-standard, but every current browser supports picking a folder this way.
        {...(directory ? { webkitdirectory: '' } : {})}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length > 0) onFiles(files);
        }}
      />
    </label>
  );
}
