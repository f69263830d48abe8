import { describe, expect, it } from 'vitest';
import { isSoftwareAdapter } from './backend';

describe('isSoftwareAdapter()', () => {
  it('recognises CPU rasterisers by the names they report', () => {
    // What Chromium's SwiftShader adapter reports (vendor google, architecture swiftshader).
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: '' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'microsoft', architecture: 'warp' })).toBe(true);
  });

  it('trusts the adapter’s own fallback flag', () => {
    expect(isSoftwareAdapter({ vendor: 'unknown', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'google', isFallbackAdapter: false })).toBe(false);
  });

  it('keeps hardware adapters', () => {
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toBe(
      false,
    );
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3' })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'intel', architecture: 'gen-12lp' })).toBe(false);
    // "warp" only as a word: an architecture name containing it is not WARP.
    expect(
      isSoftwareAdapter({ vendor: 'amd', architecture: 'rdna-3', description: 'Radeon Warpdrive' }),
    ).toBe(false);
    expect(isSoftwareAdapter({})).toBe(false);
  });
});
