// Client share links of this review: make one (the address is shown once, with a copy button),
// and the list with what each link was used for, and revoke.
import { useEffect, useState } from "preact/hooks";
import { api, firstError, settle } from "../api/client";
import { toast } from "../ui/toasts";
import { when } from "./context";
import { MAX_SHARE_LABEL_CHARS, type LinkStats, type ShareLink, type ShareScope } from "./protocol";
import type { ReviewSession } from "./session";

const SCOPES: Record<ShareScope, string> = { view: "View only", comment: "View and comment", approve: "View, comment and approve" };

export function SharePanel({ session }: { session: ReviewSession }) {
  const review = session.reviewId;
  const [links, setLinks] = useState<ShareLink[]>([]);
  const [scope, setScope] = useState<ShareScope>("comment");
  const [label, setLabel] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [expires, setExpires] = useState("");
  const [watermark, setWatermark] = useState(true);
  const [made, setMade] = useState<{ url: string; label: string } | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const refresh = async () => {
    const { data } = await api.GET("/api/share-links/", { params: { query: { review } } }).catch(() => ({ data: undefined }));
    if (data) setLinks(data);
  };
  useEffect(() => {
    void refresh();
    const timer = window.setInterval(() => void refresh(), 15_000);
    return () => window.clearInterval(timer);
  }, [review]);

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    const result = await settle(api.POST("/api/share-links/", {
      body: { review, scope, label: label.trim(), passphrase: passphrase || undefined, watermark, expires_at: expires ? new Date(expires).toISOString() : null },
    }));
    setBusy(false);
    if (!result.ok) return setError(result.kind === "invalid" ? firstError(result.errors) : result.kind === "conflict" ? result.detail : result.message);
    setMade({ url: result.data.url ?? "", label: result.data.label || SCOPES[scope] });
    setLabel("");
    setPassphrase("");
    setExpires("");
    void refresh();
  };

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      toast("Link copied.", "ok");
    } catch {
      document.querySelector<HTMLInputElement>("[data-testid=share-url]")?.select();
      toast("Select the address and copy it (Ctrl+C).", "info");
    }
  };

  const revoke = async (link: ShareLink) => {
    if (!confirm(`Revoke ${link.label || "this link"}? Anyone using it is cut off at once.`)) return;
    const result = await settle(api.POST("/api/share-links/{id}/revoke/", { params: { path: { id: link.id } } }));
    if (!result.ok) toast(result.kind === "invalid" ? firstError(result.errors) : result.kind === "conflict" ? result.detail : result.message, "error");
    void refresh();
  };

  return (
    <div class="share" data-testid="share-panel">
      <form class="share-form" onSubmit={create}>
        <div class="side-head"><span>New client link</span></div>
        <label class="field"><span>Lets them</span>
          <select value={scope} onChange={(e) => setScope(e.currentTarget.value as ShareScope)} data-testid="share-scope">
            {(Object.keys(SCOPES) as ShareScope[]).map((s) => <option key={s} value={s}>{SCOPES[s]}</option>)}
          </select>
        </label>
        <label class="field"><span>For (label)</span>
          <input value={label} maxLength={MAX_SHARE_LABEL_CHARS} placeholder="e.g. Agency, Producer" onInput={(e) => setLabel(e.currentTarget.value)} data-testid="share-label" />
        </label>
        <label class="field"><span>Passphrase (optional)</span>
          <input type="password" autocomplete="new-password" value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} data-testid="share-passphrase" />
        </label>
        <label class="field"><span>Expires (optional)</span>
          <input type="datetime-local" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} data-testid="share-expiry" />
        </label>
        <label class="check"><input type="checkbox" checked={watermark} onChange={(e) => setWatermark(e.currentTarget.checked)} data-testid="share-watermark" /> Watermark frames with the guest's name</label>
        {error && <div class="form-error" role="alert">{error}</div>}
        <button class="btn btn-primary btn-small" type="submit" disabled={busy} data-testid="share-create">Create link</button>
      </form>
      {made && (
        <div class="share-made" data-testid="share-made">
          <div class="small">Link for <b>{made.label}</b>: shown only now, copy it.</div>
          <div class="share-url-row">
            <input readOnly value={made.url} onFocus={(e) => e.currentTarget.select()} data-testid="share-url" />
            <button class="btn btn-small" onClick={() => copy(made.url)} data-testid="share-copy">Copy</button>
            <button class="btn btn-ghost btn-small" onClick={() => setMade(null)} aria-label="Hide">×</button>
          </div>
        </div>
      )}
      <div class="side-head"><span>Links to this review</span></div>
      <ul class="link-list">
        {links.map((link) => {
          const stats: LinkStats = link.stats;
          return (
            <li key={link.id} class={`share-link share-${link.status}`} data-testid={`share-link-${link.id}`} data-status={link.status}>
              <div class="share-link-head">
                <b>{link.label || "Untitled link"}</b>
                <span class="badge">{SCOPES[link.scope ?? "view"]}</span>
                <span class={`badge badge-${link.status}`} data-testid={`share-link-${link.id}-status`}>{link.status}</span>
                <span class="spacer" />
                {link.status === "active" && <button class="btn btn-ghost btn-tiny danger" onClick={() => revoke(link)} data-testid={`share-link-${link.id}-revoke`}>Revoke</button>}
              </div>
              <div class="muted small">
                made {when(link.created_at)}{link.expires_at ? ` · expires ${when(link.expires_at)}` : ""}{link.has_passphrase ? " · passphrase" : ""}{link.watermark ? " · watermarked" : ""}
              </div>
              <div class="small share-stats" data-testid={`share-link-${link.id}-stats`}>
                {stats.opens} opens · {stats.guests.length} guests{stats.guests.length ? ` (${stats.guests.map((g) => g.name).join(", ")})` : ""} · {stats.comments} comments · {stats.decisions.length} decisions
              </div>
            </li>
          );
        })}
      </ul>
      {links.length === 0 && <p class="muted small">No links yet.</p>}
    </div>
  );
}
