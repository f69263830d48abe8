import { type RefObject, useEffect, useRef, useState } from 'react';

/**
 * The content width of an element, kept current with a ResizeObserver, so charts lay out to
 * their container (1280 px laptop to 375 px phone). Before the first measurement (and in server
 * rendering) it is `initial`. Whole pixels only: sub-pixel jitter would relayout for nothing.
 */
export function useElementWidth<T extends HTMLElement>(initial = 640): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = (w: number) =>
      setWidth((prev) => (Math.floor(w) === prev || w <= 0 ? prev : Math.floor(w)));
    update(el.getBoundingClientRect().width);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      for (const entry of entries) update(entry.contentRect.width);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
