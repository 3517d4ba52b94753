/**
 * Partitions of the flagship's input topics wherever this repository creates
 * them (demo, `tributary generate`, tests, deploy): enough for a few processes
 * to share the work. Any count works: what every task must see is in a global
 * store.
 */
export const HOME_FEED_PARTITIONS = 6;
