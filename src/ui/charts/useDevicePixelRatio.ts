import { useEffect, useState } from 'react';

/**
 * The screen's device pixels per CSS pixel, kept current for canvas backing stores. It changes
 * with browser zoom or a move to another screen; a `resolution` media query matches only the
 * current ratio, so it is renewed after each change. 1 before the first effect (and in server
 * rendering).
 */
export function useDevicePixelRatio(): number {
  const [ratio, setRatio] = useState(1);
  useEffect(() => {
    const current = window.devicePixelRatio || 1;
    if (current !== ratio) setRatio(current);
    const media = window.matchMedia?.(`(resolution: ${current}dppx)`);
    const update = () => setRatio(window.devicePixelRatio || 1);
    media?.addEventListener('change', update);
    return () => media?.removeEventListener('change', update);
  }, [ratio]);
  return ratio;
}
