import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OperatorSpec } from '../../operators/operator-spec';
import { builtinOperators } from '../../operators/registry';
import { requireUserModule } from '../../core/user-module';

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
    exported = requireUserModule(file);
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
