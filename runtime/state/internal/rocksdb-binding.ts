/*
 * The slice of the `rocksdb` package (leveldown API, callback style, no
 * bundled types) that the task database uses, typed here once.
 */

type Callback<T = void> = (err: Error | undefined | null, result?: T) => void;

export interface RocksIterator {
  next(cb: (err: Error | undefined | null, key?: Buffer, value?: Buffer) => void): void;
  end(cb: Callback): void;
}

export interface RocksBatchOp {
  type: 'put' | 'del';
  key: Buffer;
  value?: Buffer;
}

export interface RocksDb {
  open(options: Record<string, unknown>, cb: Callback): void;
  close(cb: Callback): void;
  get(key: Buffer, options: { asBuffer: boolean; fillCache?: boolean }, cb: Callback<Buffer>): void;
  getMany(keys: Buffer[], options: { asBuffer: boolean; fillCache?: boolean }, cb: Callback<Array<Buffer | undefined>>): void;
  batch(ops: RocksBatchOp[], options: { sync: boolean }, cb: Callback): void;
  clear(options: { gte?: Buffer; lt?: Buffer }, cb: Callback): void;
  iterator(options: Record<string, unknown>): RocksIterator;
  getProperty(name: string): string;
  approximateSize(start: Buffer, end: Buffer, cb: Callback<number>): void;
}

// eslint-disable-next-line @typescript-eslint/no-var-requires
const factory = require('rocksdb') as (location: string) => RocksDb;

export function createRocksDb(location: string): RocksDb {
  return factory(location);
}

export function call<T = void>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result as T))));
}
