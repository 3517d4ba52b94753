/**
 * V8 flags an application process starts with: `bin/tributary.js`'s
 * shebang, the container image's entrypoint, `npm run demo` and the benches'
 * app processes pass them (a test checks that each does). They must be given
 * at start: V8 sizes its heap when the process starts, and
 * `v8.setFlagsFromString` later changes nothing. A process started as
 * `node bin/tributary.js` does not get them unless given on that command
 * line or in `NODE_OPTIONS` (docs/operations.md, "Node flags").
 *
 * `--max-semi-space-size=64` (MB; Node 20's default is 16): a stream
 * processor allocates short-lived objects per record (decoded values,
 * requests, encoded bytes) at hundreds of MB/s, and a young generation that
 * small is collected often enough that objects still in use are copied and
 * promoted. The flagship at 5,000 events/s spent 80.7 ms of its thread per
 * 1,000 events in garbage collection with the default, 63.4 with 32 and 53.5
 * with 64 (CPU profiles of `node dist/bench/flagship-latency.js --rates 5000
 * --profile-dir`). The young generation may then hold up to 3 × 64 MB.
 */
export const APP_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
