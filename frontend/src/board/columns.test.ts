import { describe, expect, it } from "vitest";
import { CARDS, columnLayoutCss, TABLET, type ColumnLayout } from "./columns";

const COLUMNS: ColumnLayout[] = [
  { key: "grip", label: "", width: 20, card: "none" },
  { key: "number", label: "Shot", width: 54, tablet: 48, card: "title" },
  { key: "description", label: "Action", width: 0, card: "text" },
  { key: "dialogue", label: "Dialogue", width: 160, hideAt: 1360, card: "text", cardLabel: "Dialogue" },
  { key: "lens_mm", label: "Lens", width: 70, hideAt: 920, card: "code", cardLabel: 'Lens "mm"' },
];

/** The rule blocks of one media query, by its max-width. */
function block(css: string, width: number): string {
  const line = css.split("\n").find((l) => l.startsWith(`@media screen and (max-width: ${width}px)`));
  if (!line) throw new Error(`no rules at ${width}px`);
  return line;
}

describe("columnLayoutCss", () => {
  const css = columnLayoutCss(COLUMNS);

  it("collapses each column from its own width down, addressed by its position", () => {
    expect(block(css, 1360)).toContain(".shots-table col:nth-child(4) { visibility: collapse; width: 0 !important; }");
    expect(block(css, 920)).toContain(".shots-table col:nth-child(5)");
    expect(block(css, 920)).not.toContain("nth-child(4)"); // already collapsed by the wider rule, which still applies
  });

  it("condenses columns on a tablet", () => {
    expect(block(css, TABLET)).toContain(".shots-table col:nth-child(2) { width: 48px !important; }");
  });

  it("puts every cell back on a card, labelled, and leaves the grip off", () => {
    const cards = block(css, CARDS);
    expect(cards).toContain(".shots-table tr.shot-row > td:nth-child(1) { display: none; }");
    expect(cards).toContain(".shots-table tr.shot-row > td:nth-child(4) { display: block; order: 1; }");
    expect(cards).toContain('.shots-table tr.shot-row > td:nth-child(4)::before { content: "Dialogue"; }');
    expect(cards).toContain('td:nth-child(5)::before { content: "Lens \\"mm\\""; }'); // quotes escaped
    expect(cards).toContain("td:nth-child(3), .shots-table tr.shot-row > td:nth-child(4) { flex: 1 1 100%; }"); // texts across the card
    // The card rules come after the column rules, so a collapsed column's cells are back on a card.
    expect(css.indexOf(`max-width: ${CARDS}px`)).toBeGreaterThan(css.indexOf("max-width: 920px"));
  });
});
