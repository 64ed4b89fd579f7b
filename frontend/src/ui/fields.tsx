import { roleSummary } from "./roles";

export function FieldError({ messages }: { messages?: string[] }) {
  if (!messages?.length) return null;
  return <span class="field-error" role="alert">{messages.join(" ")}</span>;
}

export function RoleBadge({ role }: { role: string | null }) {
  if (!role) return null;
  // Its title says what the role may do, from the published role table.
  return <span class={`role-badge role-${role}`} data-testid="role-badge" title={roleSummary(role)}>{role}</span>;
}
