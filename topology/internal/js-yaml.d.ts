/**
 * The part of js-yaml 4's API that yaml-fast-parser.ts uses (the package
 * ships no types of its own; @types/js-yaml describes the same calls).
 */
declare module 'js-yaml' {
  /** What the loader's `listener` sees: its own state, at the start ('open') and end ('close') of each node it composes. */
  export interface LoaderState {
    readonly position: number;
    /** 'scalar', 'mapping' or 'sequence' at 'close'; null for an alias or an empty node. */
    readonly kind: 'scalar' | 'mapping' | 'sequence' | null;
    readonly result: unknown;
    /** '?' for a plain scalar, null when the node has no tag, else the explicit tag. */
    readonly tag: string | null;
    readonly anchor: string | null;
  }

  export interface LoadOptions {
    filename?: string;
    schema?: Schema;
    /** Duplicate keys override rather than fail. */
    json?: boolean;
    /** The deepest node nesting the loader follows before it fails (default 100). */
    maxDepth?: number;
    listener?: (event: 'open' | 'close', state: LoaderState) => void;
  }

  export class Schema {}
  /** Only strings, mappings and sequences: plain scalars stay strings, `<<` is a plain key. */
  export const FAILSAFE_SCHEMA: Schema;

  export class YAMLException extends Error {}

  export function load(text: string, options?: LoadOptions): unknown;
}
