/**
 * The LanguageService host behind TypeService: in-memory files (globals, history, cells) over
 * the disk (read once and cached: libraries and engine sources do not change while the kernel
 * runs), with module resolution that also tries the project root, so cells in a notebook
 * anywhere can import project modules, and the service's cancellation token.
 */
import path from 'node:path';
import ts from 'typescript';

export interface VirtualFile {
  text: string;
  version: number;
}

export interface ServiceHostOptions {
  readonly projectRoot: string;
  readonly files: ReadonlyMap<string, VirtualFile>;
  readonly compilerOptions: ts.CompilerOptions;
  readonly resolutionCache: ts.ModuleResolutionCache;
  readonly cancellation: ts.CancellationToken;
}

export function createServiceHost(o: ServiceHostOptions): ts.LanguageServiceHost {
  const projectRoot = o.projectRoot;
  const diskCache = new Map<string, ts.IScriptSnapshot | null>();
  const anchor = path.join(projectRoot, '__enginelab_anchor__.ts');
  const readDisk = (f: string): ts.IScriptSnapshot | undefined => {
    let snap = diskCache.get(f);
    if (snap === undefined) {
      const text = ts.sys.readFile(f);
      snap = text === undefined ? null : ts.ScriptSnapshot.fromString(text);
      diskCache.set(f, snap);
    }
    return snap ?? undefined;
  };
  const host: ts.LanguageServiceHost & { getModuleResolutionCache(): ts.ModuleResolutionCache } = {
    getScriptFileNames: () => [...o.files.keys()],
    getScriptVersion: (f) => String(o.files.get(f)?.version ?? 0),
    getScriptSnapshot: (f) => {
      const v = o.files.get(f);
      return v ? ts.ScriptSnapshot.fromString(v.text) : readDisk(f);
    },
    getCurrentDirectory: () => projectRoot,
    getCompilationSettings: () => o.compilerOptions,
    getDefaultLibFileName: (opts) => ts.getDefaultLibFilePath(opts),
    fileExists: (f) => o.files.has(f) || ts.sys.fileExists(f),
    readFile: (f) => o.files.get(f)?.text ?? ts.sys.readFile(f),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
    getCancellationToken: () => o.cancellation,
    getModuleResolutionCache: () => o.resolutionCache,
    resolveModuleNameLiterals: (literals, containingFile, _redirect, opts) =>
      literals.map((lit) => {
        const first = ts.resolveModuleName(lit.text, containingFile, opts, host, o.resolutionCache);
        if (first.resolvedModule) return first;
        // Cells also see modules relative to the project root (notebooks may live elsewhere).
        const second = ts.resolveModuleName(lit.text, anchor, opts, host, o.resolutionCache);
        return second.resolvedModule ? second : first;
      }),
  };
  return host;
}
