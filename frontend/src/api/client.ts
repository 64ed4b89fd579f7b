// One typed client for the whole app (openapi-fetch over the generated `paths`), plus the
// conventions every write follows: CSRF header, If-Match with the version the user read, and
// the three answers a write can get (ok, 400 field errors, 409 someone-else-changed-it).
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method)) request.headers.set("X-CSRFToken", csrfToken());
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(csrf);

/** Header naming the version a write is based on (optimistic concurrency). */
export function ifMatch(version: number): Record<string, string> {
  return { "If-Match": `"${version}"` };
}

/** DRF's 400 body: field → messages ("non_field_errors" and "detail" for the rest). */
export type FieldErrors = Record<string, string[]>;

/** The 409 body: the row as it is now on the server. */
export interface Conflict<T> {
  detail: string;
  current: T;
}

export type WriteResult<T> =
  | { ok: true; data: T }
  | { ok: false; kind: "invalid"; errors: FieldErrors }
  | { ok: false; kind: "conflict"; current: T; detail: string }
  | { ok: false; kind: "gone" | "forbidden" | "failed"; message: string };

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function asFieldErrors(body: unknown): FieldErrors {
  if (!body || typeof body !== "object") return { detail: ["The server refused this change."] };
  const out: FieldErrors = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (Array.isArray(value)) out[key] = value.map(String);
    else if (typeof value === "string") out[key] = [value];
    else if (value && typeof value === "object") out[key] = Object.values(value).flat().map(String);
  }
  return out;
}

function detailOf(body: unknown, fallback: string): string {
  if (body && typeof body === "object" && "detail" in body) return String((body as { detail: unknown }).detail);
  return fallback;
}

/** Turn an openapi-fetch answer into the outcomes the UI distinguishes. */
export async function settle<T>(call: Promise<Answer<T>>): Promise<WriteResult<T>> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch {
    return { ok: false, kind: "failed", message: "The studio server did not answer. Check your connection." };
  }
  const { data, error, response } = answer;
  if (response.ok) return { ok: true, data: data as T };
  switch (response.status) {
    case 400:
      return { ok: false, kind: "invalid", errors: asFieldErrors(error) };
    case 409: {
      const body = error as Conflict<T>;
      return { ok: false, kind: "conflict", current: body.current, detail: body.detail };
    }
    case 404:
      return { ok: false, kind: "gone", message: "This was deleted meanwhile." };
    case 401:
    case 403:
      return { ok: false, kind: "forbidden", message: detailOf(error, "Your role does not allow this.") };
    default:
      return { ok: false, kind: "failed", message: detailOf(error, `The server failed (${response.status}).`) };
  }
}

/** The first message of a 400 body, for places with a single message line. */
export function firstError(errors: FieldErrors): string {
  const all = Object.entries(errors);
  if (all.length === 0) return "The server refused this change.";
  const [field, messages] = all[0];
  const prefix = field === "non_field_errors" || field === "detail" ? "" : `${field.replace(/_/g, " ")}: `;
  return prefix + messages.join(" ");
}
