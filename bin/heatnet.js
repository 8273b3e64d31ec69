#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point: runs the TypeScript sources through tsx's loader, so there is no
// build step between a checkout and a running service.
//
// The flag on the first line gives V8's young generation 64 MB semi-spaces (Node's default
// here: 16 MB). A burst of MQTT readings allocates fast and keeps each batch alive until
// the database has it: with the small young generation much of that outlived two
// scavenges, was promoted, and set off major collections (issue 14). Started with `node
// bin/heatnet.js` instead, heatnet runs the same, only slower under a burst: pass the flag.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
