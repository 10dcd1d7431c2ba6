#!/usr/bin/env node
// The `yinjian` command. In a clone it runs the TypeScript sources through tsx, so
// `npx yinjian …` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./index.ts');
