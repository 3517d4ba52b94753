import type { OperatorSpec } from '../operators/operator-spec';
import { builtinOperators } from '../operators/registry';
import type { DocSpec } from './internal/doc-spec';
import { stepSpec, topologySpec } from './topology-spec';

type JsonSchema = Record<string, unknown>;

/** The generated schema's file name under docs/ (`npm run docs` writes it). */
export const topologySchemaFile = 'tributary.schema.json';

/** `${VAR}` or `${VAR:-default}`: any value may be a placeholder, replaced before checking. */
const placeholder: JsonSchema = { type: 'string', pattern: '\\$\\{[^}]*\\}' };

/** A duration: `500ms`, `10s`, `1h30m`, or 0 (validate refuses other bare numbers). */
const duration: JsonSchema = {
  anyOf: [{ type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?(ms|s|m|h|d))+\\s*$' }, { const: 0 }, { const: '0' }, placeholder],
};

/** Wraps a schema that a `${VAR}` may stand in for. */
function orPlaceholder(schema: JsonSchema): JsonSchema {
  return { anyOf: [schema, placeholder] };
}

function describe(spec: DocSpec, schema: JsonSchema): JsonSchema {
  return { description: spec.description, ...(spec.default !== undefined ? { default: spec.default } : {}), ...schema };
}

/**
 * The JSON Schema (draft 2020-12) of one node of a topology file, from the
 * same spec validation and the generated docs use. It is what an editor can
 * check as you type: kinds, required keys, allowed values, unknown keys;
 * references, expressions and types are `tributary validate`'s.
 */
export function nodeSchema(spec: DocSpec): JsonSchema {
  switch (spec.kind) {
    case 'string': case 'expression': case 'module': case 'store': case 'sink': case 'pipeline':
      return describe(spec, spec.oneOf ? orPlaceholder({ enum: [...spec.oneOf] }) : { type: ['string', 'number'] });
    case 'number': case 'integer':
      return describe(spec, orPlaceholder({ type: spec.kind, ...(spec.positive ? { exclusiveMinimum: 0 } : {}) }));
    case 'boolean': return describe(spec, orPlaceholder({ type: 'boolean' }));
    case 'duration': return describe(spec, duration);
    case 'any': return describe(spec, {});
    case 'list': {
      const items = spec.items ? nodeSchema(spec.items) : {};
      const list: JsonSchema = { type: 'array', items };
      return describe(spec, spec.single ? { anyOf: [list, items] } : list);
    }
    case 'map': return describe(spec, { type: 'object', additionalProperties: spec.values ? nodeSchema(spec.values) : {} });
    case 'object': {
      if (!spec.fields) return describe(spec, { type: 'object' });
      const object = objectSchema(spec.fields);
      const short = spec.shorthand ? spec.fields[spec.shorthand] : undefined;
      return describe(spec, short ? { anyOf: [object, nodeSchema(short)] } : object);
    }
  }
}

function objectSchema(fields: Readonly<Record<string, DocSpec>>): JsonSchema {
  const required = Object.entries(fields).filter(([, f]) => f.required).map(([name]) => name);
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, nodeSchema(f)])),
    ...(required.length > 0 ? { required } : {}),
    // YAML merge keys (`<<: *defaults`) are resolved before checking; an editor may see them unresolved.
    patternProperties: { '^<<$': {} },
    additionalProperties: false,
  };
}

/** A step's own keys (id, onError, description, partitions), as the compact and long forms share them. */
function stepKeys(): Record<string, JsonSchema> {
  const own = Object.entries(stepSpec.fields ?? {}).filter(([name]) => !['<operator>', 'operator', 'options'].includes(name));
  return Object.fromEntries(own.map(([name]) => [name, { $ref: `#/$defs/step.${name}` }]));
}

/** The schemas {@link stepKeys} refers to, once. */
function stepKeyDefs(): Record<string, JsonSchema> {
  const own = Object.entries(stepSpec.fields ?? {}).filter(([name]) => !['<operator>', 'operator', 'options'].includes(name));
  return Object.fromEntries(own.map(([name, f]) => [`step.${name}`, nodeSchema(f)]));
}

/** The options of an operator as an object schema (a step may leave out `options:` when none is required). */
function optionsSchema(spec: OperatorSpec): JsonSchema {
  return { anyOf: [objectSchema(spec.options), { type: 'null' }] };
}

/** The compact form of a step of one operator: `{id, <name>: {options}}`. */
function compactStep(spec: OperatorSpec, keys: Record<string, JsonSchema>): JsonSchema {
  return {
    title: spec.name,
    description: spec.summary,
    type: 'object',
    required: ['id', spec.name],
    properties: { ...keys, [spec.name]: { description: spec.summary, $ref: `#/$defs/${spec.name}` } },
    additionalProperties: false,
  };
}

/** A module path, as custom operators are named (operator-resolver.ts `isModuleReference`). */
const modulePath = '^(\\./|\\.\\./).*|\\.(c?js|ts)$';

/**
 * The whole language as a JSON Schema, generated from `topologySpec`,
 * `stepSpec` and every built-in operator's spec: what YAML language servers
 * use to complete and check topology files (docs/language.md, "Editors").
 */
export function topologyJsonSchema(operators: readonly OperatorSpec[] = builtinOperators): JsonSchema {
  const keys = stepKeys();
  const sorted = [...operators].sort((a, b) => a.name.localeCompare(b.name));
  const operatorName = stepSpec.fields?.operator as DocSpec;
  const longStep: JsonSchema = {
    title: 'long form',
    type: 'object',
    required: ['id', 'operator'],
    properties: {
      ...keys,
      operator: { description: operatorName.description, anyOf: [{ enum: sorted.map((s) => s.name) }, { type: 'string', pattern: modulePath }] },
      options: { description: (stepSpec.fields?.options as DocSpec).description, type: ['object', 'null'] },
    },
    additionalProperties: false,
    allOf: sorted.map((s) => ({ if: { properties: { operator: { const: s.name } }, required: ['operator'] }, then: { properties: { options: { $ref: `#/$defs/${s.name}` } } } })),
  };
  const customStep: JsonSchema = {
    title: 'custom operator, compact form',
    type: 'object',
    required: ['id'],
    properties: keys,
    patternProperties: { [modulePath]: { type: ['object', 'null'] } },
    minProperties: 2,
    additionalProperties: false,
  };
  const step: JsonSchema = { description: stepSpec.description, anyOf: [...sorted.map((s) => compactStep(s, keys)), longStep, customStep] };
  const root = nodeSchema(topologySpec);
  const pipelines = ((root.properties as JsonSchema).pipelines as JsonSchema);
  const pipeline = pipelines.additionalProperties as JsonSchema;
  const steps = (pipeline.properties as JsonSchema).steps as JsonSchema;
  (pipeline.properties as JsonSchema).steps = { ...steps, items: step };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Tributary topology',
    ...root,
    // Each operator's options once, referenced by its compact and long step forms.
    $defs: { ...stepKeyDefs(), ...Object.fromEntries(sorted.map((s) => [s.name, optionsSchema(s)])) },
  };
}
