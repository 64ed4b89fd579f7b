// Type-ahead in a coded cell: "MCU", "ots", "over", "dolly" pick the term they name. The terms
// are the published vocabulary's (value, label, short form: previs/published.py), so a code the
// server knows is one the cell accepts; nothing is listed here.
import type { components } from "../api/schema";

export type Term = Pick<components["schemas"]["Term"], "value" | "label" | "short">;

const fold = (text: string) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[\s_\-/.'’]+/g, " ").trim();

/** How well `typed` names `term`: 0 exact (code, value or label), 1 the start of its code or
 *  label, 2 the start of a word in its label, 3 inside its label; null when it does not. */
function rank(term: Term, typed: string): number | null {
  const names = [term.short, term.value, term.label].map(fold);
  if (names.includes(typed)) return 0;
  if (names.some((name) => name.startsWith(typed))) return 1;
  if (fold(term.label).split(" ").some((word) => word.startsWith(typed))) return 2;
  if (names.some((name) => name.includes(typed))) return 3;
  return null;
}

/** The terms `typed` may mean, best first (the vocabulary's order among equals); all of them
 *  for nothing typed. */
export function matchTerms<T extends Term>(terms: readonly T[], typed: string): T[] {
  const text = fold(typed);
  if (!text) return [...terms];
  return terms
    .map((term, index) => ({ term, index, rank: rank(term, text) }))
    .filter((m): m is { term: T; index: number; rank: number } => m.rank !== null)
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((m) => m.term);
}

/** The one term `typed` stands for when it is committed (the best match), or null. */
export function pickTerm<T extends Term>(terms: readonly T[], typed: string): T | null {
  return matchTerms(terms, typed)[0] ?? null;
}
