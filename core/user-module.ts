import * as path from 'node:path';

/**
 * Loads a module the user wrote (a custom operator, an aggregate or reduce function): `.js`,
 * `.cjs`, `.ts`, `.cts` or `.mts`. TypeScript goes through tsx's CommonJS API (esbuild: no type
 * check, enums and parameter properties included), registered under a namespace of its own, so
 * only modules loaded from here, and what they import, are transformed: Tributary's own
 * `require` is left as Node made it. tsx keeps the transformed output in its own disk cache.
 *
 * Each user module resolves packages from its own folders first, then from Tributary's install
 * (so `rxjs` needs no install of its own), and the name `tributary` means this install (its
 * operator-authoring API, `operators/authoring.ts`) when the user has none of their own.
 * `file` must be absolute: relative paths are the topology file's business (they resolve against
 * its folder, see topology/internal/pipeline-checker.ts).
 */
export function requireUserModule(file: string): unknown {
  // tsx registers first: its `.js` handler must be the one wrapped below, not the wrapper.
  if (/\.[cm]?ts$/.test(file)) {
    const ts = typeScript();
    return withFallbackResolution(() => ts.require(file, file));
  }
  return withFallbackResolution(() => require(file));
}

/** The folder Tributary is installed in (its package.json's). */
function installRoot(): string {
  return path.join(__dirname, '..', '..');
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
 * Runs `load` with every CommonJS module compiled meanwhile given Tributary's fallbacks:
 * Tributary's node_modules after its own folders, and `tributary` (or `tributary/<path>`)
 * answered by this install when the module's own resolution finds none. Both go through the
 * documented `module.paths` and `module.require` of the module being compiled; tsx's
 * namespaced transform is reached through the `.js` handler it wraps, so wrapping every handler
 * present covers `.ts` too. The handlers are restored when `load` returns.
 */
function withFallbackResolution<T>(load: () => T): T {
  const fallback = tributaryNodeModules();
  const handlers = { ...require.extensions };
  for (const [ext, handler] of Object.entries(handlers)) {
    if (ext === '.json' || ext === '.node' || !handler) continue;
    require.extensions[ext] = (module, filename) => {
      if (!module.paths.includes(fallback)) module.paths.push(fallback);
      answerTributaryFromInstall(module);
      handler(module, filename);
    };
  }
  try {
    return load();
  } finally {
    for (const ext of Object.keys(require.extensions)) {
      if (ext in handlers) require.extensions[ext] = handlers[ext]!;
      else delete require.extensions[ext];
    }
  }
}

/** `module.require('tributary[/x]')` falls back to this install when the module has none of its own. */
function answerTributaryFromInstall(module: NodeJS.Module): void {
  const own = module.require.bind(module);
  module.require = Object.assign((id: string): unknown => {
    try {
      return own(id);
    } catch (err) {
      const notFound = (err as { code?: string }).code === 'MODULE_NOT_FOUND';
      if (!notFound || (id !== 'tributary' && !id.startsWith('tributary/'))) throw err;
      return own(path.join(installRoot(), id.slice('tributary'.length)));
    }
  }, module.require) as NodeJS.Require;
}

type NamespacedTsx = { require(id: string, fromFile: string): unknown };
let tsx: NamespacedTsx | undefined;
/** tsx's CommonJS hooks, registered on first use under Tributary's namespace. */
function typeScript(): NamespacedTsx {
  // Typed here: tsx's declarations need `moduleResolution: node16`, this project uses `node`.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const api = require('tsx/cjs/api') as { register(options: { namespace: string }): NamespacedTsx };
  tsx ??= api.register({ namespace: 'tributary-user-modules' });
  return tsx;
}
