import { closest, distance } from 'fastest-levenshtein';

/** ` (did you mean 'x'?)` when a candidate is close enough to be a likely typo, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const list = [...candidates];
  if (list.length === 0) return '';
  const best = closest(word, list);
  // A third of the length lets 'opertor'→'operator' through but not 'x'→'id'.
  const limit = Math.max(2, Math.ceil(best.length / 3));
  return distance(word.toLowerCase(), best.toLowerCase()) <= limit ? ` (did you mean '${best}'?)` : '';
}
