/**
 * The static types of record keys and values, as `tributary validate` sees
 * them: what the topology checker and operator specs use to type each step's
 * output (see docs/language.md, "Types"). The type model itself lives in
 * internal/cel-static-type.ts, shared with the CEL checker.
 */
export {
  asStored, avroStaticType, DYN, recordOf, sameType, scalar, typeName, typeText, withField,
  type RecordType, type StaticType,
} from './internal/cel-static-type';
import { avroStaticType, DYN, type StaticType } from './internal/cel-static-type';

/** The types of the records a step receives or emits; `note` says why a part is dyn. */
export interface RecordTypes {
  readonly key: StaticType;
  readonly value: StaticType;
  readonly note?: string;
}

/**
 * A custom operator's declared output, as data: each part is `input` (the
 * step passes it on unchanged), `dyn` (not known before run time) or an Avro
 * schema (parsed .avsc JSON) of the values it emits. An absent part: the
 * value is dyn; the key is the input's unless the spec says `changesKey`.
 */
export interface OutputDeclaration {
  readonly value?: TypeDeclaration;
  readonly key?: TypeDeclaration;
}

/** One part of an {@link OutputDeclaration}. */
export type TypeDeclaration = 'input' | 'dyn' | Readonly<Record<string, unknown>> | string | readonly unknown[];

/**
 * What an operator's `output` function is given: its resolved options, the
 * types of the records it receives, and what the checker inferred for its
 * expression options.
 */
export interface OutputTypeContext<O> {
  readonly options: O;
  readonly input: RecordTypes;
  /**
   * The result type of an expression option, by its path in the options
   * (`value`, `aggregate.field`), as the next step reads it (ints as
   * doubles); dyn when the option is absent or its type cannot be told.
   */
  expressionType(path: string): StaticType;
  /** The value types of a join's two inputs (told apart by `rightTopic`), dyn where they cannot be told. */
  readonly sides: { readonly left: StaticType; readonly right: StaticType };
  /** The value type of what a store holds, when the file says (a global store's source); else dyn. */
  storeValueType(store: string): StaticType;
}

/** The type one part of a declaration gives, from the input's type of that part. */
export function declaredType(declaration: TypeDeclaration | undefined, input: StaticType, path: 'key' | 'value'): StaticType {
  if (declaration === undefined || declaration === 'dyn') return DYN;
  if (declaration === 'input') return input;
  return avroStaticType(declaration, path);
}
