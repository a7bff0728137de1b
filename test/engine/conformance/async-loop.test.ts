import { runEngineLoopConformance } from './engine-loop.suite';

runEngineLoopConformance({ name: 'async (batch queue of 2, output placeholders)', asyncScheduling: true });
