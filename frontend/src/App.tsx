// Who is signed in decides the first screen; everything else routes from the path.
import { useEffect, useState } from "preact/hooks";
import { api } from "./api/client";
import type { SessionUser } from "./api/types";
import { InvitePage } from "./crew/Invite";
import { LoginPage } from "./pages/Login";
import { ProjectPage } from "./pages/Project";
import { ProjectsPage } from "./pages/Projects";
import { ResetPage, ResetRequestPage } from "./pages/Reset";
import { GuestPage, ReviewPage } from "./review/ReviewPage";
import { navigate, parseRoute, usePath } from "./router";
import { Toasts } from "./ui/toasts";

export function App() {
  const path = usePath();
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);

  useEffect(() => {
    // Also hands the browser its CSRF cookie before the first write.
    api.GET("/api/auth/session/").then(
      ({ data }) => setUser(data ?? null),
      () => setUser(null),
    );
  }, []);

  const route = parseRoute(path);
  // A share link is opened without an account (the guest page asks for a name instead), and so
  // are an invite (it offers a sign-up) and the password-reset pages.
  const open = route.name === "login" || route.name === "share" || route.name === "invite" || route.name === "reset";
  useEffect(() => {
    if (user === null && !open) navigate(`/login?next=${encodeURIComponent(location.pathname)}`, true);
    if (user && route.name === "login") navigate("/projects", true);
  }, [user, route.name]);

  if (route.name === "share") {
    return (
      <>
        <GuestPage key={route.token} token={route.token} />
        <Toasts />
      </>
    );
  }
  if (user === undefined) return <div class="splash">Previs Studio</div>;
  if (route.name === "reset") {
    return (
      <>
        {route.uid && route.token ? <ResetPage uid={route.uid} token={route.token} /> : <ResetRequestPage />}
        <Toasts />
      </>
    );
  }

  const signOut = async () => {
    await api.DELETE("/api/auth/session/");
    setUser(null);
    navigate("/login");
  };

  let page;
  if (route.name === "invite") page = <InvitePage key={route.token} token={route.token} user={user} onSignedIn={setUser} />;
  else if (!user || route.name === "login") page = <LoginPage onSignedIn={setUser} />;
  else if (route.name === "review") page = <ReviewPage key={route.id} id={route.id} user={user} onSignOut={signOut} />;
  else if (route.name === "project") page = <ProjectPage key={route.id} id={route.id} tab={route.tab} shot={route.shot} user={user} onSignOut={signOut} />;
  else page = <ProjectsPage user={user} onSignOut={signOut} />;
  return (
    <>
      {page}
      <Toasts />
    </>
  );
}
