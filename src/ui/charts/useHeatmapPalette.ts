import { type RefObject, useEffect, useState } from 'react';
import type { HeatmapPalette } from './drawHeatmap';

const DEFAULT_PALETTE: HeatmapPalette = { pending: '#e9ecef', missing: '#adb5bd' };

/** The pending and missing colours from the theme, as seen from `ref`. */
export function useHeatmapPalette(ref: RefObject<HTMLElement | null>): HeatmapPalette {
  const [palette, setPalette] = useState<HeatmapPalette>(DEFAULT_PALETTE);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Canvas cannot read CSS variables: resolve them now and again when the colour scheme flips.
    const read = () => {
      const style = getComputedStyle(el);
      setPalette({
        pending: style.getPropertyValue('--panel').trim() || DEFAULT_PALETTE.pending,
        missing: style.getPropertyValue('--muted').trim() || DEFAULT_PALETTE.missing,
      });
    };
    read();
    const media = window.matchMedia?.('(prefers-color-scheme: dark)');
    media?.addEventListener('change', read);
    return () => media?.removeEventListener('change', read);
  }, [ref]);
  return palette;
}
