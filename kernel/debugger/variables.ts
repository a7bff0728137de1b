/**
 * Variables for DAP from CDP remote objects. Every expandable value gets a variablesReference
 * that stays valid until the program resumes (or, when not paused, until the next
 * inspectVariables); children come from Runtime.getProperties. Cell bindings live on the global
 * object among thousands of built-ins, so "Globals" lists only the names cells declared (the
 * interpreter keeps them under a registered symbol, USER_NAMES_KEY).
 */
import type { CdpConnection } from './cdp';

/** Symbol.for key of the Set of names cells have declared (kept by the interpreter). */
export const USER_NAMES_KEY = 'enginelab.userNames';
/** Symbol.for key of the kernel's value → MIME bundle formatter (richInspectVariables). */
export const FORMATTER_KEY = 'enginelab.toDisplayBundle';
/** Symbol.for key of the interpreter's "define this global" hook (copyToGlobals). */
export const DEFINE_GLOBAL_KEY = 'enginelab.defineUserGlobal';

export const OBJECT_GROUP = 'enginelab-dap';
const MAX_CHILDREN = 500;
const MAX_VALUE = 200;

export interface RemoteObject {
  readonly type: string;
  readonly subtype?: string;
  readonly className?: string;
  readonly value?: unknown;
  readonly unserializableValue?: string;
  readonly description?: string;
  readonly objectId?: string;
}

export interface DapVariable {
  readonly name: string;
  readonly value: string;
  /** Absent for primitives: JupyterLab's variables tree shows `type` instead of `value` for any
   * type name outside Python's int/float/bool/str, so `n: number` would hide `n: 21`. */
  readonly type?: string;
  readonly variablesReference: number;
  readonly evaluateName?: string;
}

/** JavaScript that builds an object of the cell-declared globals, for the "Globals" scope. */
export const USER_GLOBALS_EXPRESSION = `(() => { const names = globalThis[Symbol.for(${JSON.stringify(USER_NAMES_KEY)})]; const o = {}; for (const n of names ?? []) if (n in globalThis) o[n] = globalThis[n]; return o; })()`;

function clip(s: string): string {
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

export function describeValue(o: RemoteObject): string {
  if (o.type === 'undefined') return 'undefined';
  if (o.unserializableValue !== undefined) return o.unserializableValue;
  if (o.type === 'string') return clip(JSON.stringify(o.value));
  if (o.subtype === 'null') return 'null';
  if (o.type === 'function') return clip((o.description ?? 'function').split('\n')[0]!);
  if (o.value !== undefined && o.type !== 'object') return clip(String(o.value));
  return clip(o.description ?? o.className ?? o.type);
}

export class VariableStore {
  private readonly refs = new Map<number, string>();
  private next = 1;

  constructor(private readonly cdp: CdpConnection) {}

  /** Drops every reference (on resume); V8 may then free the objects. */
  async reset(): Promise<void> {
    this.refs.clear();
    await this.cdp.post('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP }).catch(() => undefined);
  }

  refFor(objectId: string): number {
    const ref = this.next++;
    this.refs.set(ref, objectId);
    return ref;
  }

  toVariable(name: string, o: RemoteObject, evaluateName?: string): DapVariable {
    const expandable = o.objectId !== undefined && (o.type === 'object' || o.type === 'function') && o.subtype !== 'null';
    return {
      name,
      value: describeValue(o),
      ...(isPrimitive(o) ? {} : { type: o.className ?? o.subtype ?? o.type }),
      variablesReference: expandable && o.type === 'object' ? this.refFor(o.objectId!) : 0,
      ...(evaluateName ? { evaluateName } : {}),
    };
  }

  async children(ref: number): Promise<DapVariable[]> {
    const objectId = this.refs.get(ref);
    if (objectId === undefined) throw new Error(`variablesReference ${ref} is not valid (any more)`);
    const r = await this.cdp.post<{ result: Array<{ name: string; value?: RemoteObject; get?: RemoteObject; isOwn?: boolean; enumerable?: boolean }> }>('Runtime.getProperties', {
      objectId,
      ownProperties: true,
      accessorPropertiesOnly: false,
      generatePreview: false,
    });
    const out: DapVariable[] = [];
    for (const p of r.result) {
      if (out.length >= MAX_CHILDREN) break;
      if (p.name === '__proto__') continue;
      if (p.value) out.push(this.toVariable(p.name, p.value, /^[A-Za-z_$][\w$]*$/.test(p.name) ? p.name : undefined));
      else if (p.get) out.push({ name: p.name, value: '(getter)', type: 'accessor', variablesReference: 0 });
    }
    return out;
  }
}

function isPrimitive(o: RemoteObject): boolean {
  return o.subtype === 'null' || (o.type !== 'object' && o.type !== 'function');
}
