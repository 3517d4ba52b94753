import * as fs from 'node:fs';
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
