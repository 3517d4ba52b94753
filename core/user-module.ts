import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Loads a module the user wrote (a custom operator, an aggregate or reduce function): `.js`,
 * `.cjs` or `.ts` (transpiled in process by the project's `typescript` package, no type
 * check). The module resolves packages from its own folders first, then from Tributary's
 * install, so a module in the user's repository finds `rxjs` without installing it.
 * `file` must be absolute: relative paths are the topology file's business (they resolve
 * against its folder, see topology/internal/pipeline-checker.ts).
 */
export function requireUserModule(file: string): unknown {
  if (file.endsWith('.ts')) registerTypeScript();
  return requireWithFallback(file);
}

/**
 * Where Tributary's own packages are (rxjs, ...): the fallback of an operator module that
 * lives outside the install (the user's repository) and has no node_modules with them.
 */
function tributaryNodeModules(): string {
  // <install>/node_modules/rxjs/package.json → <install>/node_modules
  return path.dirname(path.dirname(require.resolve('rxjs/package.json')));
}

/**
 * `require(file)`, where every CommonJS `.js` module loaded by this call also resolves packages
 * from Tributary's install after its own folders (`.ts` modules get that from their hook).
 */
function requireWithFallback(file: string): unknown {
  const fallback = tributaryNodeModules();
  const js = require.extensions['.js'];
  require.extensions['.js'] = (module, filename) => {
    if (!module.paths.includes(fallback)) module.paths.push(fallback);
    js(module, filename);
  };
  try {
    return require(file);
  } finally {
    require.extensions['.js'] = js;
  }
}

let tsRegistered = false;
/**
 * Lets `require` load .ts modules by transpiling them (no type check: tsc does
 * that). Each module resolves packages from its own folders first, then from Tributary's
 * install (`module.paths` gets that last), so an operator in the user's repository finds
 * `rxjs` without installing it. Transpiled output is kept in {@link transpileCacheDir}, so a
 * start whose modules have not changed loads no TypeScript (~0.5 s of CPU here).
 *
 * Why `require.extensions` (deprecated, but still working and the only hook CommonJS
 * `require` honours on Node 20, our minimum): `module.register` hooks only ESM `import` there;
 * the synchronous `module.registerHooks` that also covers `require` arrived in Node 22.15 and
 * `--experimental-strip-types` in 22.6 (stripping only: no enums or parameter properties).
 * Revisit when the engines field moves to Node 22.
 */
function registerTypeScript(): void {
  if (tsRegistered || require.extensions['.ts']) return;
  const fallback = tributaryNodeModules();
  require.extensions['.ts'] = (module, filename) => {
    if (!module.paths.includes(fallback)) module.paths.push(fallback);
    (module as unknown as { _compile(code: string, file: string): void })._compile(transpiled(filename), filename);
  };
  tsRegistered = true;
}

// What the output depends on besides the source: the compiler's version and these settings.
const TRANSPILE_SETTINGS = 'commonjs/es2022/esModuleInterop';

/**
 * Where transpiled modules are kept: `TRIBUTARY_CACHE_DIR`, else `$XDG_CACHE_HOME/tributary`,
 * else `~/.cache/tributary`; `ts/` under it.
 */
export function transpileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.TRIBUTARY_CACHE_DIR ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'tributary');
  return path.join(base, 'ts');
}

let version: string | undefined;
/** The installed compiler's version, from its package.json: reading it does not load the compiler. */
function compilerVersion(): string {
  version ??= (JSON.parse(fs.readFileSync(require.resolve('typescript/package.json'), 'utf8')) as { version: string }).version;
  return version;
}

/** The JavaScript of a .ts module: from the cache when its source, compiler and settings match. */
function transpiled(filename: string): string {
  const source = fs.readFileSync(filename, 'utf8');
  const key = createHash('sha256').update(`${compilerVersion()}\0${TRANSPILE_SETTINGS}\0${filename}\0${source}`).digest('hex');
  const cached = path.join(transpileCacheDir(), `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // Not cached yet (or unreadable): transpile.
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const out = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  try {
    // Written whole, then renamed: a process reading the cache never sees half a file.
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, out);
    fs.renameSync(partial, cached);
  } catch {
    // A read-only or full disk only costs the next start a transpile.
  }
  return out;
}
