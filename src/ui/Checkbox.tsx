import { type ReactNode, useId } from 'react';
import './Checkbox.css';

interface CheckboxProps {
  children: ReactNode;
  testId: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}

/** A checkbox with its label beside it (the label is clickable and names the box). */
export function Checkbox({ children, testId, checked, onChange }: CheckboxProps) {
  const id = useId();
  return (
    <label htmlFor={id} className="checkbox">
      <input
        id={id}
        type="checkbox"
        data-testid={testId}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      {children}
    </label>
  );
}
