import { ProtocolError } from './kserve-errors';
import { describe } from './kserve-tensors';

/** One input of an HTTP infer request's JSON header. */
export interface InferInputHeader {
  readonly name: string;
  readonly shape: number[];
  readonly datatype: string;
  readonly parameters?: Record<string, unknown>;
  readonly data?: unknown;
}

/** One requested output of an HTTP infer request. */
export interface InferOutputHeader {
  readonly name: string;
  readonly parameters?: Record<string, unknown>;
}

/** The JSON header of an HTTP infer request, its shape checked. */
export interface InferRequestHeader {
  readonly id?: string;
  readonly inputs: InferInputHeader[];
  readonly outputs?: InferOutputHeader[];
  readonly parameters?: Record<string, unknown>;
}

function fail(message: string): never {
  throw new ProtocolError('invalid', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalObject(v: unknown, where: string): void {
  if (v !== undefined && !isObject(v)) fail(`${where}: expected an object, got ${describe(v)}`);
}

function tensorName(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') fail(`${where}.name: expected a non-empty string, got ${describe(v)}`);
  return v;
}

/**
 * Parses and checks the JSON header of an infer request, naming the field at fault
 * (`inputs[1].shape: expected a list of non-negative integers`), so a malformed request
 * is answered with what is wrong instead of an error from deep inside the server.
 */
export function parseInferHeader(bytes: Buffer): InferRequestHeader {
  let root: unknown;
  try {
    root = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    fail(`the request is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(root)) fail(`the request must be a JSON object with "inputs", got ${describe(root)}`);
  if (root.id !== undefined && typeof root.id !== 'string') fail(`id: expected a string, got ${describe(root.id)}`);
  optionalObject(root.parameters, 'parameters');
  if (!Array.isArray(root.inputs)) fail(`inputs: expected a list of input tensors, got ${root.inputs === undefined ? 'nothing' : describe(root.inputs)}`);
  root.inputs.forEach((input: unknown, i) => {
    const where = `inputs[${i}]`;
    if (!isObject(input)) fail(`${where}: expected an object, got ${describe(input)}`);
    tensorName(input.name, where);
    if (typeof input.datatype !== 'string') fail(`${where}.datatype: expected a string such as "FP32", got ${describe(input.datatype)}`);
    if (!Array.isArray(input.shape) || !input.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      fail(`${where}.shape: expected a list of non-negative integers`);
    }
    optionalObject(input.parameters, `${where}.parameters`);
    const size = (input.parameters as Record<string, unknown> | undefined)?.binary_data_size;
    if (size !== undefined && !(Number.isSafeInteger(size) && (size as number) >= 0)) fail(`${where}.parameters.binary_data_size: expected a non-negative integer, got ${describe(size)}`);
    if (size === undefined && input.data === undefined) fail(`${where} ('${String(input.name)}'): has neither "data" nor parameters.binary_data_size`);
    if (size !== undefined && input.data !== undefined) fail(`${where} ('${String(input.name)}'): has both "data" and parameters.binary_data_size`);
  });
  if (root.outputs !== undefined) {
    if (!Array.isArray(root.outputs)) fail(`outputs: expected a list of requested outputs, got ${describe(root.outputs)}`);
    root.outputs.forEach((output: unknown, i) => {
      if (!isObject(output)) fail(`outputs[${i}]: expected an object, got ${describe(output)}`);
      tensorName(output.name, `outputs[${i}]`);
      optionalObject(output.parameters, `outputs[${i}].parameters`);
    });
  }
  return root as unknown as InferRequestHeader;
}
