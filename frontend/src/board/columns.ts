// How the shot list's columns give way on narrower screens. Each column says from which window
// width down it is hidden, its condensed width on a tablet, and where it goes in the card view of
// a phone; the CSS that does it is written here from that list, so the rules always address the
// column they mean (they select cells by position, and the position comes from the same list the
// header and the rows are drawn from).

export interface ColumnLayout {
  key: string;
  label: string;
  /** Width in px on a wide screen (0: takes what is left; the action column). */
  width: number;
  /** Hidden when the window is at most this wide (lower-priority columns first). */
  hideAt?: number;
  /** Width on a tablet (window at most TABLET px wide). */
  tablet?: number;
  /** Its place on a shot card (phones): the card's title, its head, a full-width text, a short coded value, or not on the card. */
  card: "title" | "head" | "text" | "code" | "none";
  /** Says what the value is on a card ("Lens 35mm"); the description needs no label. */
  cardLabel?: string;
}

export const TABLET = 1100;
/** At most this wide, each shot is a card (a phone, or a narrow window). */
export const CARDS = 720;

const CARD_ORDER = { title: 0, head: 0, text: 1, code: 2, none: 0 } as const;

const cssString = (text: string) => `"${text.replace(/["\\]/g, "\\$&")}"`;

export function columnLayoutCss(columns: ColumnLayout[]): string {
  const rules: string[] = [];
  const nth = (index: number) => `:nth-child(${index + 1})`;
  // The column collapses (its <col>), so the cells after it stay under their own headers: hiding
  // the cells themselves would shift the rest of the row one column to the left.
  const cells = (index: number) => `.shots-table col${nth(index)}`;
  // Tiers from the widest: a narrower window hides every column a wider one hid.
  const tiers = [...new Set(columns.filter((c) => c.hideAt).map((c) => c.hideAt!))].sort((a, b) => b - a);
  for (const tier of tiers) {
    const hidden = columns.map((c, i) => (c.hideAt === tier ? cells(i) : "")).filter(Boolean);
    rules.push(`@media screen and (max-width: ${tier}px) { ${hidden.join(", ")} { visibility: collapse; width: 0 !important; } }`);
  }
  const condensed = columns.map((c, i) => (c.tablet ? `.shots-table col${nth(i)} { width: ${c.tablet}px !important; }` : "")).filter(Boolean);
  rules.push(`@media screen and (max-width: ${TABLET}px) { ${condensed.join(" ")} }`);
  // On a card every cell is back (the card has room down the page, not across it).
  const card = columns.map((c, i) => {
    const cell = `.shots-table tr.shot-row > td${nth(i)}`;
    if (c.card === "none") return `${cell} { display: none; }`;
    const label = c.cardLabel ? ` ${cell}::before { content: ${cssString(c.cardLabel)}; }` : "";
    return `${cell} { display: block; order: ${CARD_ORDER[c.card]}; }${label}`;
  });
  const kinds = (["title", "text", "code"] as const).map((kind) => {
    const selector = columns.map((c, i) => (c.card === kind ? `.shots-table tr.shot-row > td${nth(i)}` : "")).filter(Boolean).join(", ");
    return selector ? `${selector} { ${{ title: "flex: 1 1 auto;", text: "flex: 1 1 100%;", code: "flex: 0 0 auto;" }[kind]} }` : "";
  });
  rules.push(`@media screen and (max-width: ${CARDS}px) { ${card.join(" ")} ${kinds.join(" ")} }`);
  return rules.join("\n");
}
