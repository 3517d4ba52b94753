/*
 * Key layout inside a task's RocksDB instance:
 *   01 <name length u16> <name utf8> <store key>      data of a store
 * The length prefix keeps store "a" from seeing keys of store "ab".
 */

function tagged(tag: number, storeName: string): Buffer {
  const name = Buffer.from(storeName, 'utf8');
  if (name.length > 0xffff) throw new RangeError(`store name too long: ${storeName.slice(0, 40)}…`);
  const out = Buffer.allocUnsafe(3 + name.length);
  out[0] = tag;
  out.writeUInt16BE(name.length, 1);
  name.copy(out, 3);
  return out;
}

export function dataPrefix(storeName: string): Buffer {
  return tagged(0x01, storeName);
}
