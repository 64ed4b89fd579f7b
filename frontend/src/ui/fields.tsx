export function FieldError({ messages }: { messages?: string[] }) {
  if (!messages?.length) return null;
  return <span class="field-error" role="alert">{messages.join(" ")}</span>;
}

export function RoleBadge({ role }: { role: string | null }) {
  if (!role) return null;
  return <span class={`role-badge role-${role}`} data-testid="role-badge">{role}</span>;
}
