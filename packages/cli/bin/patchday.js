#!/usr/bin/env node
// The CLI ships as TypeScript; tsx compiles it on load so `npm ci` needs no build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/main.ts');
