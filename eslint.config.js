// Lint rules that encode the architecture: engine/ is a pure library (no I/O, clock,
// ambient randomness or kernel imports); only one kernel file talks to zeromq.
import tseslint from 'typescript-eslint';

const engineImpurities = [
  { group: ['node:*', 'fs', 'fs/*', 'path', 'os', 'net', 'http', 'https', 'child_process', 'worker_threads', 'zeromq', 'perf_hooks', 'timers', 'crypto'], message: 'engine/ is pure: no Node built-ins, no I/O.' },
  { group: ['**/kernel/**', '../kernel', '../../kernel'], message: 'engine/ must not import kernel/.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'fixtures/**', 'engine/wasm/build/**', '**/*.generated.*', '**/assembly/**', '*.tmp.ts', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: engineImpurities }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'engine/ is pure: no process.' },
        { name: 'setTimeout', message: 'engine/ is pure: no timers.' },
        { name: 'setInterval', message: 'engine/ is pure: no timers.' },
        { name: 'setImmediate', message: 'engine/ is pure: no timers.' },
        { name: 'performance', message: 'engine/ is pure: no clock.' },
        { name: 'fetch', message: 'engine/ is pure: no I/O.' },
        { name: 'require', message: 'engine/ uses static imports only.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'use engine/base/rng (seeded).' },
        { object: 'Date', property: 'now', message: 'use the engine clock.' },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date']", message: 'engine/ is pure: no wall clock.' }],
    },
  },
  {
    files: ['kernel/**/*.ts'],
    ignores: ['kernel/transport/zmq-transport.ts', 'kernel/cli/**', 'kernel/main.ts', 'kernel/client/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'zeromq', message: 'only kernel/transport/zmq-transport.ts and the client import zeromq.' }] }],
    },
  },
);
