// The project's crew: who is in it and in what role, invites (by email or a link to hand on) and
// the pending ones. What a caller may change comes from the server (each membership's
// grantable_roles and removable, the project's grantable_roles, all from the one role rule), so the
// screen offers exactly what the server would accept and says why where it offers nothing.
import { useEffect, useState } from "preact/hooks";
import { api, settle, type FieldErrors } from "../api/client";
import type { components } from "../api/schema";
import type { Membership, SessionUser } from "../api/types";
import { navigate } from "../router";
import { useBoard } from "../state/context";
import { FieldError, RoleBadge } from "../ui/fields";
import { roleLabel, roleSummary, ROLES, whyNot } from "../ui/roles";
import { toast } from "../ui/toasts";

type Invite = components["schemas"]["Invite"];
type InviteCreated = components["schemas"]["InviteCreated"];
type Role = NonNullable<Membership["role"]>;

function failure(result: { kind: string; message?: string; errors?: FieldErrors }): string {
  if (result.kind === "invalid") return Object.values(result.errors ?? {}).flat().join(" ");
  return result.message ?? "The server refused this change.";
}

export function Members({ user }: { user: SessionUser }) {
  const store = useBoard();
  const project = store.data!.project;
  const canManage = project.allowed.includes("manage_members");
  const [members, setMembers] = useState<Membership[] | null>(null);
  const [invites, setInvites] = useState<Invite[]>([]);

  const load = async () => {
    const { data } = await api.GET("/api/projects/{project_pk}/members/", { params: { path: { project_pk: project.id } } });
    setMembers((data ?? []) as Membership[]);
    if (canManage) {
      const answer = await api.GET("/api/projects/{project_pk}/invites/", { params: { path: { project_pk: project.id } } });
      setInvites(((answer.data ?? []) as Invite[]).filter((i) => i.status === "pending"));
    } else setInvites([]);
  };
  // The project row is read again whenever someone's membership changes (the room's membership
  // changes), so the list follows what others do here too.
  useEffect(() => void load(), [project.id, project.role, project.last_seq, canManage]);

  const changeRole = async (member: Membership, role: Role) => {
    const result = await settle(api.PATCH("/api/projects/{project_pk}/members/{id}/", { params: { path: { project_pk: project.id, id: member.id } }, body: { role } }));
    if (result.ok) toast(`${member.display_name} is now ${roleLabel(role).toLowerCase()}.`, "ok");
    else toast(failure(result), "error");
    void load();
  };

  const remove = async (member: Membership) => {
    const self = member.user === user.id;
    if (!confirm(self ? `Leave ${project.name}? You will need a new invite to come back.` : `Remove ${member.display_name} from ${project.name}?`)) return;
    const result = await settle(api.DELETE("/api/projects/{project_pk}/members/{id}/", { params: { path: { project_pk: project.id, id: member.id } } }));
    if (!result.ok) toast(failure(result), "error");
    else if (self) navigate("/projects");
    else void load();
  };

  const revoke = async (invite: Invite) => {
    const result = await settle(api.DELETE("/api/projects/{project_pk}/invites/{id}/", { params: { path: { project_pk: project.id, id: invite.id } } }));
    if (!result.ok) toast(failure(result), "error");
    void load();
  };

  return (
    <div class="members" data-testid="members">
      <section class="members-section">
        <h2>Crew of {project.name}</h2>
        {!canManage && <p class="muted small role-note" data-testid="members-note">{whyNot("manage_members", project.role)}</p>}
        {members === null ? <p class="muted">Loading…</p> : (
          <table class="grid members-table">
            <thead><tr><th>Name</th><th>Login</th><th>Role</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.id} data-testid={`member-${m.username}`}>
                  <td>{m.display_name}{m.user === user.id && <span class="muted"> (you)</span>}</td>
                  <td class="muted">{m.username}</td>
                  <td>
                    {m.grantable_roles.length > 0 ? (
                      <select aria-label={`Role of ${m.display_name}`} value={m.role} data-testid={`member-${m.username}-role`}
                        onChange={(e) => void changeRole(m, e.currentTarget.value as Role)}>
                        {/* The member's current role stays listed even where the caller could not grant it. */}
                        {ROLES.filter((r) => m.grantable_roles.includes(r.value) || r.value === m.role).map((r) => (
                          <option value={r.value} title={roleSummary(r.value)}>{r.label}</option>
                        ))}
                      </select>
                    ) : (
                      <span title={canManage ? "Only an owner may change an owner's role." : whyNot("manage_members", project.role)}>
                        <RoleBadge role={m.role ?? null} />
                      </span>
                    )}
                  </td>
                  <td class="actions">
                    {m.removable && (
                      <button class="btn btn-ghost btn-tiny danger" data-testid={`member-${m.username}-remove`} onClick={() => void remove(m)}>
                        {m.user === user.id ? "Leave" : "Remove"}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <details class="role-table">
          <summary>What each role may do</summary>
          <ul>{ROLES.map((r) => <li key={r.value}>{roleSummary(r.value)}</li>)}</ul>
        </details>
      </section>
      {canManage && <InviteForm projectId={project.id} roles={project.grantable_roles as Role[]} onInvited={() => void load()} />}
      {canManage && invites.length > 0 && (
        <section class="members-section">
          <h2>Invites waiting</h2>
          <table class="grid invites-table" data-testid="invites">
            <thead><tr><th>To</th><th>Role</th><th>From</th><th>Expires</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {invites.map((i) => (
                <tr key={i.id} data-testid={`invite-${i.id}`}>
                  <td>{i.email || <span class="muted">a link</span>}</td>
                  <td><RoleBadge role={i.role} /></td>
                  <td class="muted">{i.invited_by}</td>
                  <td class="muted">{new Date(i.expires_at).toLocaleDateString()}</td>
                  <td class="actions">
                    {project.grantable_roles.includes(i.role) && (
                      <button class="btn btn-ghost btn-tiny danger" data-testid={`invite-${i.id}-revoke`} onClick={() => void revoke(i)}>Withdraw</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

function InviteForm({ projectId, roles, onInvited }: { projectId: number; roles: Role[]; onInvited: () => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>(roles.includes("editor") ? "editor" : roles[roles.length - 1]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<InviteCreated | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (byLink: boolean) => {
    setBusy(true);
    setErrors({});
    const result = await settle(api.POST("/api/projects/{project_pk}/invites/", { params: { path: { project_pk: projectId } }, body: { role, email: byLink ? "" : email.trim() } }));
    setBusy(false);
    if (!result.ok) {
      setErrors(result.kind === "invalid" ? result.errors : { non_field_errors: [failure(result)] });
      return;
    }
    const invite = result.data as InviteCreated;
    setCreated(invite);
    if (!byLink) {
      setEmail("");
      toast(invite.mailed ? `Invite sent to ${invite.email}.` : `The mail server did not take the invite to ${invite.email}: copy the link below and send it yourself.`, invite.mailed ? "ok" : "warn");
    }
    onInvited();
  };

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      toast("Invite link copied.", "ok");
    } catch {
      toast("Select the link and copy it (the browser did not allow copying).", "warn");
    }
  };

  return (
    <section class="members-section">
      <h2>Invite someone</h2>
      <form class="invite-form" onSubmit={(e) => { e.preventDefault(); void send(false); }} noValidate>
        {errors.non_field_errors && <div class="form-error">{errors.non_field_errors.join(" ")}</div>}
        <label class="field"><span>Email</span>
          <input type="email" autocomplete="off" value={email} onInput={(e) => setEmail(e.currentTarget.value)} placeholder="name@production.com"
            data-testid="invite-email" aria-invalid={!!errors.email} />
          <FieldError messages={errors.email} /></label>
        <label class="field"><span>Role</span>
          {/* Only the roles the server says this caller may grant (a director is not offered owner). */}
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)} data-testid="invite-role">
            {ROLES.filter((r) => roles.includes(r.value as Role)).map((r) => <option value={r.value} title={roleSummary(r.value)}>{r.label}</option>)}
          </select>
          <FieldError messages={errors.role} /></label>
        <div class="invite-actions">
          <button type="submit" class="btn btn-primary" disabled={busy || !email.trim()} data-testid="invite-send">Send invite</button>
          <button type="button" class="btn" disabled={busy} onClick={() => void send(true)} data-testid="invite-link"
            title="Make a link for this role to hand on yourself (chat, call sheet)">Make a link</button>
        </div>
        {!roles.includes("owner") && <p class="muted small">Only an owner may invite another owner.</p>}
      </form>
      {created && (
        <div class="invite-created" data-testid="invite-created">
          <p>{created.email ? `Link for ${created.email}` : "Invite link"} ({roleLabel(created.role).toLowerCase()}, works once, until {new Date(created.expires_at).toLocaleDateString()}).
            The studio keeps no copy: copy it now.</p>
          <div class="invite-url">
            <input readonly value={created.url} aria-label="Invite link" data-testid="invite-url" onFocus={(e) => e.currentTarget.select()} />
            <button type="button" class="btn btn-small" onClick={() => void copy(created.url)}>Copy link</button>
          </div>
        </div>
      )}
    </section>
  );
}
