import { runEngineLoopConformance } from './engine-loop.suite';

runEngineLoopConformance({ name: 'sync (step = schedule → execute → update)', asyncScheduling: false });
