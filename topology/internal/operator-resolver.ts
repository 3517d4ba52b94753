import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OperatorSpec } from '../../operators/operator-spec';
import { builtinOperators } from '../../operators/registry';

/** An operator name that refers to a module rather than a built-in. */
export function isModuleReference(name: string): boolean {
  return name.startsWith('./') || name.startsWith('../') || /\.(c?js|ts)$/.test(name);
}

/** Built-ins by name (the registry is a list so that it stays explicit). */
export function builtinByName(): Map<string, OperatorSpec> {
  return new Map(builtinOperators.map((spec) => [spec.name, spec]));
}

// Built once: every step resolves its operator here, and the registry is a constant list.
let builtins: ReadonlyMap<string, OperatorSpec> | undefined;

export type Resolution =
  | { readonly spec: OperatorSpec }
  | { readonly problem: 'unknown-operator' | 'module'; readonly message: string };

/**
 * Resolves a step's operator: a built-in by name, or a module (path relative to
 * the topology file) that exports `spec: OperatorSpec`. TypeScript modules are
 * transpiled in process (the project's `typescript` package) when loaded.
 */
export function resolveOperator(name: string, topologyDir: string): Resolution {
  if (!isModuleReference(name)) {
    builtins ??= builtinByName();
    const spec = builtins.get(name);
    return spec ? { spec } : { problem: 'unknown-operator', message: `unknown operator '${name}'` };
  }
  const file = path.resolve(topologyDir, name);
  if (!fs.existsSync(file)) return { problem: 'module', message: `operator module '${name}' not found (looked for ${file})` };
  let exported: unknown;
  try {
    if (file.endsWith('.ts')) registerTypeScript();
    exported = requireWithFallback(file);
  } catch (err) {
    return { problem: 'module', message: `operator module '${name}' failed to load: ${(err as Error).message?.split('\n')[0]}` };
  }
  const spec = (exported as { spec?: unknown; default?: { spec?: unknown } }).spec
    ?? (exported as { default?: { spec?: unknown } }).default?.spec;
  if (!isOperatorSpec(spec)) {
    return { problem: 'module', message: `operator module '${name}' must export 'spec' (an OperatorSpec with name, options and create)` };
  }
  return { spec };
}

function isOperatorSpec(value: unknown): value is OperatorSpec {
  const v = value as Partial<OperatorSpec> | undefined;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.create === 'function'
    && typeof v.options === 'object' && v.options !== null;
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
 * Lets `require` load .ts operator modules by transpiling them (no type check: tsc does
 * that). Each module resolves packages from its own folders first, then from Tributary's
 * install (`module.paths` gets that last), so an operator in the user's repository finds
 * `rxjs` without installing it.
 *
 * Why `require.extensions` (deprecated, but still working and the only hook CommonJS
 * `require` honours on Node 20, our minimum): `module.register` hooks only ESM `import` there;
 * the synchronous `module.registerHooks` that also covers `require` arrived in Node 22.15 and
 * `--experimental-strip-types` in 22.6 (stripping only: no enums or parameter properties).
 * Revisit when the engines field moves to Node 22.
 */
function registerTypeScript(): void {
  if (tsRegistered || require.extensions['.ts']) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const fallback = tributaryNodeModules();
  require.extensions['.ts'] = (module, filename) => {
    if (!module.paths.includes(fallback)) module.paths.push(fallback);
    const source = fs.readFileSync(filename, 'utf8');
    const out = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    (module as unknown as { _compile(code: string, file: string): void })._compile(out.outputText, filename);
  };
  tsRegistered = true;
}
