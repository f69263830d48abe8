#!/usr/bin/env node
// `npx linscope ...`: runs the TypeScript entry through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
