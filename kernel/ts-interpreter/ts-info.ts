/** What kernel_info reports for the TypeScript interpreter (language, versions, help links). */
import ts from 'typescript';
import type { InterpreterInfo } from '../interpreter';

export function tsInterpreterInfo(): InterpreterInfo {
  return {
    implementation: 'enginelab',
    implementationVersion: '0.1.0',
    languageInfo: { name: 'typescript', version: ts.version, mimetype: 'text/typescript', file_extension: '.ts', codemirror_mode: { name: 'javascript', typescript: true }, pygments_lexer: 'typescript' },
    banner: `enginelab: TypeScript ${ts.version} on Node ${process.version}, with the engine loaded`,
    helpLinks: [
      { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' },
      { text: 'Node.js API', url: 'https://nodejs.org/docs/latest-v20.x/api/' },
    ],
  };
}
