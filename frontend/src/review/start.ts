// The project page's way in: review a scene's boards live (POST /api/reviews/, then its page).
import { api, firstError, settle } from "../api/client";
import { navigate, reviewPath } from "../router";
import { toast } from "../ui/toasts";

export async function startSceneReview(project: number, scene: number): Promise<void> {
  const result = await settle(api.POST("/api/reviews/", { body: { project, scene } }));
  if (result.ok) navigate(reviewPath(result.data.id));
  else toast(`Could not start a review: ${result.kind === "invalid" ? firstError(result.errors) : result.kind === "conflict" ? result.detail : result.message}`, "error");
}
