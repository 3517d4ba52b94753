import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFileRegistry, fromBinary, type DescMessage, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';

/** A .proto file compiled to descriptors: the file and every file it imports. */
export interface ProtoSchema {
  /** The file's name inside the set (its path relative to its folder). */
  readonly file: string;
  /** A serialized google.protobuf.FileDescriptorSet, imports included. */
  readonly descriptorSet: Uint8Array;
}

/** Why a .proto file did not compile; line and column are in the .proto file when known. */
export interface ProtoCompileError {
  readonly error: string;
  readonly line?: number;
  readonly col?: number;
}

/**
 * Compiles a .proto file with buf (the Buf CLI that the `@bufbuild/buf`
 * package ships), the compiler of the team behind @bufbuild/protobuf:
 * JavaScript has no maintained in-process .proto compiler (protobufjs'
 * descriptor export loses fully-qualified type names and imports). Imports
 * resolve against the file's own folder; the well-known types are built in.
 */
export function compileProtoFile(file: string): ProtoSchema | ProtoCompileError {
  const root = path.dirname(file);
  const name = path.basename(file);
  const buf = bufLauncher();
  if (typeof buf !== 'string') return buf;
  const run = spawnSync(process.execPath, [
    buf, 'build', root, '--path', file,
    '--as-file-descriptor-set', '--exclude-source-info', '--error-format=json', '-o', '-#format=binpb',
  ], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 60_000, windowsHide: true });
  if (run.error) return { error: `could not run buf to compile ${name}: ${run.error.message}` };
  if (run.status !== 0) return compileError(run.stderr.toString('utf8'), name);
  return { file: name, descriptorSet: new Uint8Array(run.stdout) };
}

/**
 * The buf CLI's launcher script, resolved only when a .proto file is compiled:
 * buf is a separate ~93 MB binary that runs as a child process, so a topology
 * without `format: protobuf` never loads, spawns or even looks for it.
 */
function bufLauncher(): string | ProtoCompileError {
  try {
    return require.resolve('@bufbuild/buf/bin/buf');
  } catch {
    return { error: 'compiling .proto files needs the @bufbuild/buf package, which is not installed (npm install @bufbuild/buf)' };
  }
}

/** Compiles .proto text (a writer schema from the registry) in a scratch folder. */
export function compileProtoText(text: string, name = 'schema.proto'): ProtoSchema | ProtoCompileError {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-proto-'));
  try {
    const file = path.join(dir, path.basename(name.endsWith('.proto') ? name : `${name}.proto`));
    fs.writeFileSync(file, text);
    return compileProtoFile(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** buf's first file annotation (JSON lines on stderr) as an error with its position. */
function compileError(stderr: string, name: string): ProtoCompileError {
  for (const line of stderr.split('\n')) {
    try {
      const a = JSON.parse(line) as { path?: string; start_line?: number; start_column?: number; message?: string };
      if (typeof a.message === 'string') {
        const where = a.start_line ? `${path.basename(a.path ?? name)}:${a.start_line}:${a.start_column ?? 1}: ` : '';
        return { error: `${where}${a.message}`, ...(a.start_line ? { line: a.start_line, col: a.start_column ?? 1 } : {}) };
      }
    } catch {
      // not an annotation line
    }
  }
  return { error: stderr.trim() || `buf could not compile ${name}` };
}

/** The descriptors of a compiled schema, to look messages up in. */
export function protoRegistry(schema: ProtoSchema): FileRegistry {
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, schema.descriptorSet));
}

/** A message type of the schema's own file by full name (`package.Message`), or undefined. */
export function protoMessage(schema: ProtoSchema, registry: FileRegistry, typeName: string): DescMessage | undefined {
  const message = registry.getMessage(typeName.replace(/^\./, ''));
  return message && message.file.name === schema.file.replace(/\.proto$/, '') ? message : undefined;
}

/** Full names of every message the schema's own file declares (nested ones too), for error hints. */
export function protoMessageNames(schema: ProtoSchema, registry: FileRegistry): string[] {
  const names: string[] = [];
  for (const type of registry) {
    if (type.kind === 'message' && type.file.name === schema.file.replace(/\.proto$/, '')) names.push(type.typeName);
  }
  return names;
}

/**
 * The full name of the message at `indexes` (the Confluent wire format's
 * message indexes: a path through top-level then nested messages) in a
 * file descriptor; undefined when the path leads nowhere.
 */
export function messageNameAt(file: FileDescriptorProto, indexes: readonly number[]): string | undefined {
  let types = file.messageType;
  const names: string[] = [];
  for (const i of indexes) {
    const type = types[i];
    if (!type) return undefined;
    names.push(type.name);
    types = type.nestedType;
  }
  return names.length === 0 ? undefined : [file.package, ...names].filter((n) => n).join('.');
}
