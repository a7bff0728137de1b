/**
 * The ambient declarations cells are checked against: the engine's exports (aliased from the
 * engine module, plus `engine` itself), globals the kernel defines with a TypeScript type, and
 * untyped globals as `any`. Rewritten whenever a global is defined after preparation.
 */
import { stripTsExtension } from './type-service';

export class GlobalsDeclaration {
  readonly definedTypes = new Map<string, string>();
  readonly untyped = new Set<string>();
  engineNames: string[] = [];
  builtinGlobals = new Set<string>();

  /** Records the names (and optional types) of `defineGlobals`; throws on a bad name. */
  record(values: Readonly<Record<string, unknown>>, types: Readonly<Record<string, string>>): void {
    if (typeof values !== 'object' || values === null) throw new TypeError('defineGlobals(values): values must be an object of name → value');
    for (const name of Object.keys(values)) {
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new TypeError(`defineGlobals(values): '${name}' is not a valid identifier`);
      const t = types[name];
      if (t !== undefined) this.definedTypes.set(name, t);
      else if (!this.definedTypes.has(name)) this.untyped.add(name);
    }
  }

  text(engineModule: string | undefined): string {
    const lines: string[] = [];
    if (engineModule !== undefined) lines.push(`import * as __engine from ${JSON.stringify(stripTsExtension(engineModule))};`);
    lines.push('declare global {');
    const engineSet = new Set(this.engineNames);
    if (engineModule !== undefined) {
      // A namespace alias, so `engine.X` names the engine's types as well as its values.
      lines.push('  export import engine = __engine;');
      for (const n of this.engineNames) if (!this.definedTypes.has(n) && n !== 'engine') lines.push(`  export import ${n} = __engine.${n};`);
    }
    for (const [n, t] of this.definedTypes) lines.push(`  var ${n}: ${t};`);
    for (const n of this.untyped) if (!this.definedTypes.has(n) && !engineSet.has(n) && n !== 'engine' && !this.builtinGlobals.has(n)) lines.push(`  var ${n}: any;`);
    lines.push('}', 'export {};', '');
    return lines.join('\n');
  }
}
