/** Where the browser benchmarks find Chromium, build the app and keep their profiles. */
import { join } from 'node:path';
import { OUT_DIR, ROOT } from '../lib';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const APP_DIR = join(OUT_DIR, 'app');
export const PAGE_DIR = join(OUT_DIR, 'page');
export const PROFILE_DIR = join(OUT_DIR, 'chromium-profile');
export const TINY_ID = 'linscope/tiny-gpt2';
export const TINY_DIR = join(ROOT, 'public', 'models', 'linscope', 'tiny-gpt2');
