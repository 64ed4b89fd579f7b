// An invite link (/invites/<token>): what it offers, then "Join" for someone signed in, or a
// sign-up form (login, email, password; the server's password rules answer per field) for someone
// new. A link that is withdrawn, used or expired says so in the server's words.
import { useEffect, useState } from "preact/hooks";
import { api, settle, type FieldErrors } from "../api/client";
import type { components } from "../api/schema";
import type { SessionUser } from "../api/types";
import { navigate, projectPath } from "../router";
import { FieldError } from "../ui/fields";
import { roleLabel, roleSummary } from "../ui/roles";

type InviteInfo = components["schemas"]["InviteInfo"];

function refusal(status: number, body: unknown): string {
  const detail = body && typeof body === "object" && "detail" in body ? String((body as { detail: unknown }).detail) : "";
  if (status === 429) return detail || "Too many wrong invite links from your address; try again later.";
  if (status === 404) return "There is no such invite. Check that the whole link was copied, or ask for a new one.";
  return detail || `The studio could not open this invite (${status}).`;
}

export function InvitePage({ token, user, onSignedIn }: { token: string; user: SessionUser | null; onSignedIn: (user: SessionUser) => void }) {
  const [info, setInfo] = useState<InviteInfo | null>(null);
  const [refused, setRefused] = useState("");

  useEffect(() => {
    void api.GET("/api/invites/{token}/", { params: { path: { token } } }).then(
      ({ data, error, response }) => (data ? setInfo(data) : setRefused(refusal(response.status, error))),
      () => setRefused("The studio server did not answer."),
    );
  }, [token]);

  useEffect(() => {
    if (info) document.title = `Join ${info.project_name} — Previs Studio`;
  }, [info]);

  return (
    <div class="login">
      <div class="login-card invite-card" data-testid="invite-page">
        <div class="brand brand-large"><span class="brand-mark">▣</span> Previs Studio</div>
        {refused ? <p class="form-error" data-testid="invite-refused">{refused}</p>
          : !info ? <p class="muted">Opening the invite…</p>
          : <>
            <p data-testid="invite-offer">
              {info.invited_by ? `${info.invited_by} invites you` : "You are invited"} to <strong>{info.project_name}</strong> as{" "}
              <strong title={roleSummary(info.role)}>{roleLabel(info.role).toLowerCase()}</strong>.
            </p>
            <p class="muted small">{roleSummary(info.role)}</p>
            {user ? <Join token={token} info={info} user={user} /> : <SignUp token={token} info={info} onSignedIn={onSignedIn} />}
          </>}
      </div>
    </div>
  );
}

function Join({ token, info, user }: { token: string; info: InviteInfo; user: SessionUser }) {
  const [error, setError] = useState("");
  const join = async () => {
    const result = await settle(api.POST("/api/invites/{token}/accept/", { params: { path: { token } } }));
    if (result.ok) navigate(projectPath(result.data.project), true);
    else setError(result.kind === "invalid" ? Object.values(result.errors).flat().join(" ") : "message" in result ? result.message : result.detail);
  };
  return (
    <>
      {error && <div class="form-error" data-testid="invite-error">{error}</div>}
      <button class="btn btn-primary btn-block" onClick={() => void join()} data-testid="invite-join">Join {info.project_name} as {user.display_name}</button>
      <p class="muted small">Not you? <a href={`/login?next=${encodeURIComponent(location.pathname)}`}>Sign in with another login</a> after signing out.</p>
    </>
  );
}

function SignUp({ token, info, onSignedIn }: { token: string; info: InviteInfo; onSignedIn: (user: SessionUser) => void }) {
  const [form, setForm] = useState({ name: "", username: "", email: info.email, password: "" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: Event) => setForm((f) => ({ ...f, [key]: (e.currentTarget as HTMLInputElement).value }));

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await settle(api.POST("/api/invites/{token}/sign-up/", { params: { path: { token } }, body: form }));
    setBusy(false);
    if (result.ok) {
      const { project, ...user } = result.data;
      onSignedIn(user);
      navigate(projectPath(project), true);
    } else if (result.kind === "invalid") setErrors(result.errors);
    else setErrors({ non_field_errors: ["message" in result ? result.message : result.detail] });
  };

  const next = encodeURIComponent(location.pathname);
  return (
    <form onSubmit={submit} noValidate data-testid="sign-up">
      <p>Make your studio login to join. Already have one? <a href={`/login?next=${next}`} data-testid="invite-sign-in">Sign in</a> and open this link again.</p>
      {errors.non_field_errors && <div class="form-error" data-testid="sign-up-error">{errors.non_field_errors.join(" ")}</div>}
      <label class="field"><span>Your name</span>
        <input name="name" autocomplete="name" value={form.name} onInput={set("name")} placeholder="How the crew sees you" />
        <FieldError messages={errors.name} /></label>
      <label class="field"><span>Login</span>
        <input name="username" autocomplete="username" value={form.username} onInput={set("username")} aria-invalid={!!errors.username} />
        <FieldError messages={errors.username} /></label>
      <label class="field"><span>Email</span>
        <input name="email" type="email" autocomplete="email" value={form.email} onInput={set("email")} aria-invalid={!!errors.email} />
        <FieldError messages={errors.email} /></label>
      <label class="field"><span>Password</span>
        <input name="password" type="password" autocomplete="new-password" value={form.password} onInput={set("password")} aria-invalid={!!errors.password}
          aria-describedby="password-rules" />
        <span class="muted small" id="password-rules">At least 8 characters, not a common password, not like your login or email.</span>
        <FieldError messages={errors.password} /></label>
      <button class="btn btn-primary btn-block" type="submit" disabled={busy} data-testid="sign-up-submit">{busy ? "Joining…" : `Join ${info.project_name}`}</button>
    </form>
  );
}
