/**
 * Trimming by a loop from each end. The obvious patterns (`/[ \t]+$/`, `/\/+$/`) try every position of a run that
 * a later character breaks, so a crafted run of a few thousand costs seconds; these cost the run once.
 */

/** `text` without any of `chars` at its end. */
export function withoutTrailing(text: string, chars: string): string {
  let to = text.length;
  while (to > 0 && chars.includes(text[to - 1] as string)) to -= 1;
  return text.slice(0, to);
}

/** `text` without any of `chars` at either end. */
export function trimmed(text: string, chars: string): string {
  let from = 0;
  while (from < text.length && chars.includes(text[from] as string)) from += 1;
  return withoutTrailing(text.slice(from), chars);
}
