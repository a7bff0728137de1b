/**
 * The connection file a Jupyter client writes (ports, transport, HMAC key), read and validated
 * with errors naming the offending field.
 */
import { readFileSync } from 'node:fs';

export interface ConnectionInfo {
  readonly transport: 'tcp' | 'ipc';
  readonly ip: string;
  readonly shell_port: number;
  readonly iopub_port: number;
  readonly stdin_port: number;
  readonly control_port: number;
  readonly hb_port: number;
  readonly key: string;
  readonly signature_scheme: string;
  readonly kernel_name?: string;
}

export const PORT_NAMES = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const;

export function parseConnectionInfo(value: unknown, source = 'connection file'): ConnectionInfo {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${source}: must be a JSON object`);
  const v = value as Record<string, unknown>;
  const transport = v.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') throw new TypeError(`${source}: transport must be "tcp" or "ipc", got ${JSON.stringify(transport)}`);
  const ip = v.ip ?? '127.0.0.1';
  if (typeof ip !== 'string' || ip === '') throw new TypeError(`${source}: ip must be a non-empty string`);
  for (const p of PORT_NAMES) {
    const port = v[p];
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`${source}: ${p} must be an integer port, got ${JSON.stringify(port)}`);
  }
  const key = v.key ?? '';
  if (typeof key !== 'string') throw new TypeError(`${source}: key must be a string`);
  const scheme = v.signature_scheme ?? 'hmac-sha256';
  if (typeof scheme !== 'string') throw new TypeError(`${source}: signature_scheme must be a string`);
  return { ...(v as object), transport, ip, key, signature_scheme: scheme } as ConnectionInfo;
}

export function readConnectionFile(path: string): ConnectionInfo {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read connection file ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`connection file ${path} is not valid JSON`);
  }
  return parseConnectionInfo(json, `connection file ${path}`);
}

export function endpoint(conn: ConnectionInfo, port: number): string {
  return conn.transport === 'ipc' ? `ipc://${conn.ip}-${port}` : `tcp://${conn.ip}:${port}`;
}
