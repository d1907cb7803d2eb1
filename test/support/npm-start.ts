// How `npm start` runs Foyer, read from package.json, so that every test and benchmark
// that starts Foyer as a process of its own runs it with the same Node flags.
import { readFileSync } from 'node:fs';

const start: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts.start;
const [node, ...args] = start.split(/\s+/);
if (node !== 'node' || args.at(-1) !== 'portal/main.ts')
  throw new Error(`package.json start script is not "node … portal/main.ts": ${start}`);

/** Node's flags as `npm start` passes them (tsx's --import included), without the script. */
export const NODE_FLAGS: readonly string[] = args.slice(0, -1);
/** NODE_FLAGS and the script: what follows `node` in `npm start`. */
export const START_ARGS: readonly string[] = args;
