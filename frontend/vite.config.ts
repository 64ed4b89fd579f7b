// The build contract with Django (apps/web/views.py): the manifest lands in
// static/app/.vite/manifest.json with the key "index.html", and every asset URL starts with
// /static/app/. JSX goes through the tsconfig's "react-jsx" + "jsxImportSource": "preact".
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/static/app/",
  build: {
    outDir: "../static/app",
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    rollupOptions: { input: "index.html" },
  },
  server: {
    // `npx vite` during development: the API, sockets and media come from runstudio on :8000.
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/media": "http://127.0.0.1:8000",
      "/ws": { target: "ws://127.0.0.1:8000", ws: true },
    },
  },
});
