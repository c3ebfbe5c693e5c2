/// <reference types="vitest/config" />
// Builds the SPA into dist/ (served by webapp.ui.views): hashed files under /assets/, one chunk
// per page (React.lazy in src/app/routes.tsx) so the first load stays small.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      output: {
        // libraries change less often than our code: their own long-cached chunks
        manualChunks(id) {
          if (!id.includes("node_modules")) return undefined;
          if (/[\\/](react|react-dom|scheduler|react-router)[\\/]/.test(id)) return "vendor-react";
          if (/@tanstack[\\/](react-query|query-core)/.test(id)) return "vendor-query";
          return undefined;
        },
      },
    },
  },
  server: {
    // `npm run dev` against a running `pyflare serve` on :8000
    proxy: { "/api": "http://127.0.0.1:8000", "/ws": { target: "ws://127.0.0.1:8000", ws: true } },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
