import { InvalidArgumentError } from 'commander';

/**
 * Option-argument parsers for commander, shared by the `tributary` commands and the
 * bench and fault scripts. Each throws commander's {@link InvalidArgumentError} naming
 * the flag and the text given, so a bad value is a usage error (exit 2) before any work.
 */

/** A number for which `ok` holds; `what` says what was expected ("a positive number of seconds"). */
export const numberOption = (flag: string, ok: (n: number) => boolean, what: string) => (text: string): number => {
  const n = Number(text.replace(/_/g, ''));
  if (text.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new InvalidArgumentError(`${flag} must be ${what}, not '${text}'`);
  return n;
};

/** An integer ≥ `min` (underscores allowed as separators: 1_000_000). */
export const integerOption = (flag: string, min = 0) => numberOption(flag, (n) => Number.isInteger(n) && n >= min, `an integer ≥ ${min}`);

/** A number > 0. */
export const positiveOption = (flag: string, unit = 'number') => numberOption(flag, (n) => n > 0, `a positive ${unit}`);

/** One of `choices`. */
export const choiceOption = <T extends string>(flag: string, choices: readonly T[]) => (text: string): T => {
  if (!(choices as readonly string[]).includes(text)) throw new InvalidArgumentError(`${flag} must be one of ${choices.join(', ')}, not '${text}'`);
  return text as T;
};

/** A repeatable option: each use adds its value. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Comma-separated numbers, each checked by `item` (e.g. `positiveOption('--rates')`). */
export const listOption = <T>(item: (text: string) => T) => (text: string): T[] => text.split(',').map((part) => item(part.trim()));
