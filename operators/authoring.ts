/**
 * What a custom operator or aggregate module imports from Tributary: `import { defineOperator }
 * from 'tributary'` (package.json's `main`). A module loaded by Tributary gets this install's
 * copy even from a repository that has not installed Tributary (core/user-module.ts).
 */
export { defineOperator } from './operator-spec';
export type { OperatorSpec, OperatorContext, OptionSpec, OptionSpecs, OptionValues, ResolvedOptions } from './operator-spec';
export type { StreamRecord, RecordHeaders } from '../core/stream-record';
export { RecordError } from '../core/errors';
