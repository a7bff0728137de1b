/** The TypeScript interpreter behind the kernel (see ts-interpreter.ts). */
export { createTsInterpreter, TsInterpreter, RUNTIME_GLOBAL } from './ts-interpreter';
export type { TsInterpreterOptions } from './ts-interpreter';
export { isCompleteCode } from './is-complete';
export { codePointsToUtf16, utf16ToCodePoints } from './language-features';
