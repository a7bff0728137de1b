/**
 * The Chrome DevTools Protocol session the debug adapter speaks through: from the socket thread,
 * `inspector.Session#connectToMainThread` reaches the main thread's V8 inspector, which keeps
 * answering while the main thread is paused at a breakpoint (V8 runs a nested message loop
 * there). Only the socket thread may create one; a session on the main thread itself could
 * not resume a pause it is blocked in.
 */
import { Session } from 'node:inspector';

export type CdpListener = (params: any) => void;

/** What the adapter needs from a CDP connection (a fake can stand in, e.g. in unit tests). */
export interface CdpConnection {
  post<T = any>(method: string, params?: Record<string, unknown>): Promise<T>;
  on(event: string, listener: CdpListener): void;
  disconnect(): void;
}

export class MainThreadCdp implements CdpConnection {
  private readonly session = new Session();
  private connected = false;

  connect(): void {
    if (this.connected) return;
    this.session.connectToMainThread();
    this.connected = true;
  }

  post<T = any>(method: string, params?: Record<string, unknown>): Promise<T> {
    this.connect();
    return new Promise<T>((resolve, reject) => {
      this.session.post(method, params ?? {}, (err: Error | null, result?: unknown) => (err ? reject(err) : resolve(result as T)));
    });
  }

  on(event: string, listener: CdpListener): void {
    this.session.on(event, (m: { params: unknown }) => listener(m.params));
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.session.disconnect();
  }
}
