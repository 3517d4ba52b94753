import type { OptionKind, StoreAccess } from '../../operators/operator-spec';

/**
 * The spec of one node of a topology file. A superset of an operator's
 * `OptionSpec` (which is assignable to it), so the document's own sections and
 * every operator's options go through one checker, one docs writer.
 */
export interface DocSpec {
  readonly kind: OptionKind | 'map';
  readonly description: string;
  readonly required?: boolean;
  readonly default?: unknown;
  readonly oneOf?: readonly string[];
  /** A duration or number that must be above zero. */
  readonly positive?: boolean;
  /**
   * Values a user may reasonably write that this build refuses, with why
   * (e.g. a compression codec whose package is not installed); reported with
   * the supported `oneOf` values instead of a bare "must be one of".
   */
  readonly rejected?: Readonly<Record<string, string>>;
  /** Element spec of a list. */
  readonly items?: DocSpec;
  /** Field specs of an object (unknown fields are reported). */
  readonly fields?: Readonly<Record<string, DocSpec>>;
  /**
   * Keys of an object that earlier builds accepted and this one refuses, with
   * what to write instead; reported in place of a bare "unknown key".
   */
  readonly retired?: Readonly<Record<string, string>>;
  /** Value spec of a map whose keys are user-chosen names. */
  readonly values?: DocSpec;
  /** A list that also accepts one bare item. */
  readonly single?: boolean;
  /** An object that also accepts a bare scalar, read as `{ [shorthand]: scalar }`. */
  readonly shorthand?: string;
  /** Store references: read-only or read-write (the default). */
  readonly access?: StoreAccess;
  /** Expressions: what the result must be (see OptionSpec.returns). */
  readonly returns?: 'bool';
}
