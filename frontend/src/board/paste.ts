// Rows pasted from a spreadsheet (Excel, Sheets, Numbers copy cells as tab-separated text) into
// the shot list. A header row is optional: when the first row names the shot-list CSV's columns
// (their one definition, workers/exports/shotlist.py, published as `shot_list_columns`), the
// columns are read by name; otherwise they are the shot list's visible columns from the cell the
// paste landed in, as a spreadsheet pastes. A cell is read as the CSV import reads it: a coded
// value by its code, stored value or label in any case, a number with "." or ",", characters
// separated by ";" and named as in the library.
import type { Character, Location } from "../api/types";
import type { Term } from "./typeahead";

export interface PasteColumn {
  header: string;
  field: string;
}

export interface PastedRow {
  /** Its line in what was pasted (1 = the first). */
  line: number;
  fields: Record<string, unknown>;
}

export interface Library {
  characters: Pick<Character, "id" | "name">[];
  locations: Pick<Location, "id" | "name">[];
}

const NUMBER = /^[0-9]{1,4}[A-Z]{0,2}$/; // as apps.boards.models.SCENE_OR_SHOT_NUMBER
const NUMBER_FIELDS = new Set(["lens_mm", "duration_s"]);
const TEXT_FIELDS = new Set(["description", "dialogue", "props", "notes"]);
export const MAX_PASTED_ROWS = 200;

/** Tab-separated text as rows of cells. A quoted cell (how spreadsheets copy a cell holding a
 *  line break or a tab) keeps them, with "" for a quote; an empty last line is dropped. */
export function parseTsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  const input = text.replace(/\r\n?/g, "\n");
  while (i < input.length) {
    const ch = input[i];
    if (quoted) {
      if (ch === '"' && input[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else cell += ch;
      i += 1;
      continue;
    }
    if (ch === '"' && cell === "") quoted = true;
    else if (ch === "\t") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
    i += 1;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((cells) => cells.some((c) => c.trim() !== ""));
}

const key = (text: string) => text.trim().toLowerCase();

/** The column each pasted cell fills: by the header row when the first row is one (and how many
 *  rows it took), else by `visible` (the shot list's fields from where the paste landed). */
export function pasteColumns(rows: string[][], published: PasteColumn[], visible: string[]): { fields: (string | null)[]; headerRows: number; errors: string[] } {
  const byHeader = new Map(published.map((c) => [key(c.header), c.field]));
  const first = rows[0] ?? [];
  const named = first.filter((cell) => cell.trim() !== "");
  const known = named.filter((cell) => byHeader.has(key(cell)));
  if (named.length && known.length * 2 > named.length) {
    const errors = named.filter((cell) => !byHeader.has(key(cell))).map((cell) => `Column "${cell.trim()}" is not a shot-list column; it was left out.`);
    return { fields: first.map((cell) => byHeader.get(key(cell)) ?? null), headerRows: 1, errors };
  }
  return { fields: visible, headerRows: 0, errors: [] };
}

/** What one cell says for `field`: [value] or an error message; undefined leaves the field alone. */
function readCell(field: string, cell: string, vocabularies: Record<string, readonly Term[]>, library: Library): { value: unknown } | { error: string } | undefined {
  const text = cell.trim();
  if (TEXT_FIELDS.has(field)) return { value: cell };
  if (!text) return undefined;
  const terms = vocabularies[field];
  if (terms) {
    const found = terms.find((t) => [t.value, t.label, t.short].some((name) => key(name) === key(text)));
    return found ? { value: found.value } : { error: `"${text}" is not one of ${terms.map((t) => t.short).join(", ")}.` };
  }
  if (NUMBER_FIELDS.has(field)) {
    const number = Number(text.replace(",", "."));
    return Number.isFinite(number) && /^[0-9.,]+$/.test(text) ? { value: number } : { error: `"${text}" is not a number.` };
  }
  if (field === "number") {
    const number = text.toUpperCase();
    return NUMBER.test(number) ? { value: number } : { error: `"${text}" is not a shot number like 12A.` };
  }
  if (field === "characters") {
    const names = text.split(";").map((name) => name.trim()).filter(Boolean);
    const ids: number[] = [];
    for (const name of names) {
      const character = library.characters.find((c) => key(c.name) === key(name));
      if (!character) return { error: `no character "${name}" in the library (add them first).` };
      ids.push(character.id);
    }
    return { value: ids };
  }
  if (field === "location") {
    const location = library.locations.find((l) => key(l.name) === key(text));
    return location ? { value: location.id } : { error: `no location "${text}" in the library.` };
  }
  return undefined; // a column the shot list does not take from a paste (the scene: rows land where pasted)
}

/** Pasted text as shot fields, row by row, and every problem ("Row 2, Size: …"); a row with a
 *  bad cell is left out, so what is created is exactly what was read. */
export function readPaste(text: string, published: PasteColumn[], visible: string[], vocabularies: Record<string, readonly Term[]>, library: Library): { rows: PastedRow[]; errors: string[] } {
  const table = parseTsv(text);
  const { fields, headerRows, errors } = pasteColumns(table, published, visible);
  const headers = new Map(published.map((c) => [c.field, c.header]));
  const rows: PastedRow[] = [];
  const body = table.slice(headerRows);
  if (body.length > MAX_PASTED_ROWS) return { rows: [], errors: [`At most ${MAX_PASTED_ROWS} rows at a time; paste the rest in parts.`] };
  body.forEach((cells, index) => {
    const line = index + 1 + headerRows;
    const row: PastedRow = { line, fields: {} };
    let bad = false;
    cells.forEach((cell, column) => {
      const field = fields[column];
      if (!field) return;
      const read = readCell(field, cell, vocabularies, library);
      if (!read) return;
      if ("error" in read) {
        bad = true;
        errors.push(`Row ${line}, ${headers.get(field) ?? field}: ${read.error}`);
      } else row.fields[field] = read.value;
    });
    if (!bad && Object.keys(row.fields).length) rows.push(row);
  });
  return { rows, errors };
}
