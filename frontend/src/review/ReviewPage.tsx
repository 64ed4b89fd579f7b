// The review page: /reviews/<id> for members, /s/<token> for a client's guest (name first, then the
// same page with what the link's scope allows).
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, csrfToken } from "../api/client";
import type { Project, SessionUser } from "../api/types";
import { linkClick, projectPath } from "../router";
import { StatusPill } from "../board/cells";
import { TopBar } from "../ui/TopBar";
import { FieldError } from "../ui/fields";
import { ThemeSwitch } from "../ui/theme";
import { ApprovalBar, ApprovalHistory } from "./Approvals";
import { Comments } from "./Comments";
import { useSession } from "./context";
import { Notes } from "./Notes";
import { Player } from "./Player";
import { MAX_GUEST_NAME_CHARS, type LinkInfo } from "./protocol";
import { ReviewSession } from "./session";
import { SharePanel } from "./Share";
import { whyNot } from "../ui/roles";

export function ReviewPage({ id, user, onSignOut }: { id: number; user: SessionUser; onSignOut: () => void }) {
  const session = useMemo(() => new ReviewSession({ kind: "member", reviewId: id }, user.id), [id, user.id]);
  useEffect(() => {
    void session.start();
    return () => session.stop();
  }, [session]);
  const [project, setProject] = useState<Project | null>(null);
  const projectId = useSession(session).content?.review.project;
  useEffect(() => {
    if (projectId) void api.GET("/api/projects/{id}/", { params: { path: { id: projectId } } }).then(
      ({ data }) => data && setProject(data as Project),
      () => undefined, // offline: the Share tab stays locked until the project is read
    );
  }, [projectId]);
  const canShare = !!project?.allowed.includes("share");
  return (
    <div class="page review-page">
      <TopBar user={user} onSignOut={onSignOut}>
        <ReviewHead session={session} />
      </TopBar>
      <ReviewView session={session} canShare={canShare} role={project?.role} />
    </div>
  );
}

export function GuestPage({ token }: { token: string }) {
  const [info, setInfo] = useState<LinkInfo | null>(null);
  const [refused, setRefused] = useState("");
  const [joined, setJoined] = useState(false);

  useEffect(() => {
    void api.GET("/api/share/{token}/", { params: { path: { token } } }).then(
      ({ data, response }) => {
        if (!data) {
          setRefused(response.status === 410 ? "This link was revoked or has expired. Ask the production for a new one."
            : response.status === 429 ? "Too many attempts from your address; try again later." : "There is no such link.");
          return;
        }
        const link: LinkInfo = data;
        setInfo(link);
        if (link.guest) setJoined(true);
      },
      () => setRefused("The studio server did not answer."),
    );
  }, [token]);

  useEffect(() => {
    if (info) document.title = `${info.review_title} — ${info.project_name}`;
  }, [info]);

  if (refused) {
    return (
      <div class="login">
        <div class="login-card">
          <div class="brand brand-large"><span class="brand-mark">▣</span> Previs Studio</div>
          <div class="form-error" data-testid="link-closed">{refused}</div>
        </div>
      </div>
    );
  }
  if (!info) return <div class="splash">Previs Studio</div>;
  if (!joined) return <JoinForm token={token} info={info} onJoined={() => setJoined(true)} />;
  return <GuestReview token={token} info={info} />;
}

function JoinForm({ token, info, onJoined }: { token: string; info: LinkInfo; onJoined: () => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    const response = await fetch(`/api/share/${encodeURIComponent(token)}/join/`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ name, email, ...(info.needs_passphrase ? { passphrase } : {}) }),
    }).catch(() => null);
    setBusy(false);
    if (response?.ok) return onJoined();
    const body = await response?.json().catch(() => null);
    if (response?.status === 400 && body && typeof body === "object") setErrors(body as Record<string, string[]>);
    else setErrors({ detail: [response?.status === 410 ? "This link was revoked or has expired." : String(body?.detail ?? "Could not join; try again.")] });
  };

  const scope = { view: "watch", comment: "watch and comment", approve: "watch, comment and approve" }[info.scope];
  return (
    <div class="login">
      <form class="login-card" onSubmit={submit} noValidate data-testid="guest-join">
        <div class="brand brand-large"><span class="brand-mark">▣</span> Previs Studio</div>
        <div>
          <div class="strong" data-testid="guest-review-title">{info.review_title}</div>
          <div class="muted">{info.project_name} · you may {scope}</div>
        </div>
        {errors.detail && <div class="form-error">{errors.detail.join(" ")}</div>}
        <label class="field"><span>Your name</span>
          <input value={name} maxLength={MAX_GUEST_NAME_CHARS} autofocus onInput={(e) => setName(e.currentTarget.value)} data-testid="guest-name" aria-invalid={!!errors.name} />
          <FieldError messages={errors.name} />
        </label>
        <label class="field"><span>Email (optional)</span>
          <input type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} data-testid="guest-email" aria-invalid={!!errors.email} />
          <FieldError messages={errors.email} />
        </label>
        {info.needs_passphrase && (
          <label class="field"><span>Passphrase</span>
            <input type="password" value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} data-testid="guest-passphrase" aria-invalid={!!errors.passphrase} />
            <FieldError messages={errors.passphrase} />
          </label>
        )}
        <p class="muted small">Your name is shown with what you write and decide, and on the frames you are shown.</p>
        <button class="btn btn-primary btn-block" type="submit" disabled={busy || !name.trim()} data-testid="guest-submit">{busy ? "Opening…" : "Open the review"}</button>
      </form>
    </div>
  );
}

function GuestReview({ token, info }: { token: string; info: LinkInfo }) {
  const session = useMemo(() => new ReviewSession({ kind: "guest", token, reviewId: info.review }), [token, info.review]);
  useEffect(() => {
    void session.start();
    return () => session.stop();
  }, [session]);
  const name = useSession(session).content?.you.name;
  return (
    <div class="page review-page">
      <header class="topbar">
        <span class="brand"><span class="brand-mark">▣</span> <span class="brand-name">Previs Studio</span></span>
        <div class="topbar-main"><ReviewHead session={session} /></div>
        <div class="topbar-user"><ThemeSwitch /><span class="muted user-name" data-testid="current-user">{name ? `${name} (guest)` : ""}</span></div>
      </header>
      <ReviewView session={session} canShare={false} watermark={info.watermark && name ? { guest: name, project: info.project_name } : null} />
    </div>
  );
}

function ReviewHead({ session }: { session: ReviewSession }) {
  useSession(session);
  const content = session.content;
  if (!content) return null;
  const label = session.link === "live" ? "live" : session.link === "closed" ? "ended" : session.link === "connecting" ? "connecting…" : "reconnecting…";
  return (
    <div class="project-head">
      {!session.isGuest && (
        <a class="crumb" href={projectPath(content.review.project)} onClick={(e) => linkClick(e, projectPath(content.review.project))}>{content.review.project_name}</a>
      )}
      {session.isGuest && <span class="crumb">{content.review.project_name}</span>}
      <h1 class="project-title" data-testid="review-title">{content.review.title}</h1>
      <span class="spacer" />
      <span class={`link link-${session.link === "closed" ? "closed" : session.link}`} data-testid="review-connection" title={session.rtt != null ? `Clock synced to ±${Math.round(session.rtt / 2)} ms` : undefined}>
        <span class="link-dot" />
        {label}
      </span>
    </div>
  );
}

type Tab = "comments" | "decisions" | "notes" | "people" | "share";

/** `role`: a member's role in the project (guests have none), so a member who may not share is told why. */
function ReviewView({ session, canShare, watermark, role }: { session: ReviewSession; canShare: boolean; watermark?: { guest: string; project: string } | null; role?: string | null }) {
  useSession(session);
  const [tab, setTab] = useState<Tab>("comments");
  const content = session.content;

  useEffect(() => {
    if (content) document.title = `${content.review.title} — Review — Previs Studio`;
  }, [content?.review.title]);

  if (!content) {
    return <main class="review-main">{session.loadError ? <p class="empty" data-testid={session.closedReason ? "link-closed" : "review-error"}>{session.loadError}</p> : <p class="muted pad">Loading review…</p>}</main>;
  }
  const position = session.position();
  const item = content.items[position.item];
  const tabs: { tab: Tab; label: string }[] = [
    { tab: "comments", label: `Comments${item ? ` (${item.comments.length})` : ""}` },
    { tab: "decisions", label: "Decisions" },
    { tab: "notes", label: "Notes" },
    { tab: "people", label: `People (${session.participants.length})` },
    ...(canShare || role ? [{ tab: "share" as Tab, label: canShare ? "Share" : "Share 🔒" }] : []),
  ];

  return (
    <main class="review-main">
      {session.link === "closed" && session.closedReason && <div class="review-closed" role="alert" data-testid="link-closed">{session.closedReason}</div>}
      <section class="review-stage-column">
        <nav class="shot-strip" aria-label="Shots in this review">
          {content.items.map((entry, index) => {
            const latest = session.latestApproval(entry);
            return (
              <button key={entry.shot.id} class={`strip-shot ${index === position.item ? "strip-current" : ""}`} onClick={() => session.goItem(index)}
                data-testid={`strip-shot-${entry.shot.id}`} title={entry.shot.description}>
                <b>{entry.shot.scene_number}/{entry.shot.number}</b>
                {latest && <span class={`strip-dot strip-${latest.decision}${latest.stale ? " strip-stale" : ""}`} />}
                {entry.out_of_date && (
                  <span class="strip-out-of-date" data-testid={`strip-out-of-date-${entry.shot.id}`} title="Rendered before the shot's camera or blocking last changed">out of date</span>
                )}
              </button>
            );
          })}
        </nav>
        {item && (
          <div class="review-shot-info">
            <span class="cam-number">{item.shot.number}</span>
            <div class="cam-title">
              <div class="cam-title-line"><span class="cam-slug">SCENE {item.shot.scene_number} · {item.shot.scene_heading}</span> <StatusPill status={item.shot.status} /></div>
              <div class="cam-desc" title={item.shot.description}>{item.shot.description}</div>
              {item.shot.dialogue && <div class="dialogue small">{item.shot.dialogue}</div>}
            </div>
          </div>
        )}
        <Player session={session} watermark={watermark} />
        {item && <ApprovalBar session={session} item={item} />}
      </section>
      <aside class="review-side">
        <nav class="tabs side-tabs" role="tablist">
          {tabs.map((t) => (
            <button key={t.tab} role="tab" aria-selected={tab === t.tab} class={`tab ${tab === t.tab ? "tab-active" : ""}`} onClick={() => setTab(t.tab)} data-testid={`review-tab-${t.tab}`}>
              {t.label}
            </button>
          ))}
        </nav>
        <div class="side-body">
          {tab === "comments" && item && <Comments session={session} item={item} />}
          {tab === "decisions" && item && <ApprovalHistory item={item} />}
          {tab === "notes" && <Notes session={session} />}
          {tab === "people" && <People session={session} />}
          {tab === "share" && canShare && <SharePanel session={session} />}
          {tab === "share" && !canShare && role && <p class="muted role-note" data-testid="share-locked">{whyNot("share", role)}</p>}
        </div>
      </aside>
    </main>
  );
}

function People({ session }: { session: ReviewSession }) {
  const presenter = session.state?.presenter;
  return (
    <ul class="people" data-testid="participants">
      {session.participants.map((p) => (
        <li key={p.session} class="person" data-testid="participant" data-name={p.name}>
          <span class="avatar" style={{ background: p.colour }}>{p.name.slice(0, 1).toUpperCase()}</span>
          <span>{p.name}{p.session === session.you?.session ? " (you)" : ""}</span>
          {p.guest && <span class="badge">guest</span>}
          {p.session === presenter && <span class="badge badge-presenter" data-testid="presenter-badge">presenting</span>}
          <span class="spacer" />
          {session.isPresenter && p.session !== presenter && p.can_present && (
            <button class="btn btn-ghost btn-tiny" onClick={() => session.handOver(p.session)} data-testid="participant-hand-over">Hand over</button>
          )}
        </li>
      ))}
    </ul>
  );
}
