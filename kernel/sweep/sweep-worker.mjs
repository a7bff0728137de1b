// Entry of a sweep worker thread: loads the TypeScript sources through tsx (a worker does not
// inherit the main thread's loader), then runs the configs the pool posts, one at a time.
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker-body.ts');
