// Why a button is missing or locked: the role table as the page carries it (apps/web/views.py,
// StudioVocabulary.roles, from apps/projects/permissions.py's ROLE_PERMISSIONS). Nothing here
// restates who may do what; only how the page words each action.
import type { ComponentChildren } from "preact";
import { toast } from "./toasts";
import { VOCABULARY } from "../vocab";

export type Action = "view" | "edit" | "render" | "comment" | "approve" | "share" | "manage_members" | "manage_project";

/** What each action is, as the people who may take it do it ("Directors and owners …"). */
const DOING: Record<Action, string> = {
  view: "open the project",
  edit: "edit scenes, shots and boards",
  render: "render frames and clips",
  comment: "comment and draw on reviews",
  approve: "approve shots",
  share: "start reviews and share links with clients",
  manage_members: "invite people and change roles",
  manage_project: "change the project's settings or delete it",
};

export const ROLES = VOCABULARY.roles;

export function roleLabel(role: string): string {
  return ROLES.find((r) => r.value === role)?.label ?? role;
}

function plural(label: string): string {
  return `${label.toLowerCase()}s`;
}

function listed(words: string[]): string {
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** "Directors and owners start reviews and share links with clients." — from the role table,
 * most-senior last, as a crew list reads. */
export function whoMay(action: Action): string {
  const roles = ROLES.filter((r) => r.allowed.includes(action)).map((r) => plural(r.label)).reverse();
  const sentence = `${listed(roles)} ${DOING[action]}.`;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** The reason a caller of `role` may not take `action` (their role named, so they know whom to ask). */
export function whyNot(action: Action, role: string | null | undefined): string {
  return `${whoMay(action)}${role ? ` You are ${/^[aeiou]/i.test(role) ? "an" : "a"} ${role.toLowerCase()} here.` : ""}`;
}

/** What a role may do, in one line, for the role badge's title. */
export function roleSummary(role: string): string {
  const allowed = ROLES.find((r) => r.value === role)?.allowed ?? [];
  const can = (Object.keys(DOING) as Action[]).filter((a) => allowed.includes(a)).map((a) => DOING[a]);
  return `${roleLabel(role)}: may ${listed(can)}.`;
}

/** A button the caller's role may not use: shown, marked locked, and saying why (on hover, and on
 * a tap, since a tablet has no hover). */
export function LockedButton({ action, role, class: cls = "btn btn-small", testid, children }: {
  action: Action; role: string | null | undefined; class?: string; testid?: string; children: ComponentChildren;
}) {
  const reason = whyNot(action, role);
  return (
    <button type="button" class={`${cls} btn-locked`} aria-disabled="true" title={reason} data-testid={testid} data-locked-reason={reason}
      onClick={() => toast(reason, "info")}>
      <span aria-hidden="true">🔒 </span>{children}
    </button>
  );
}
