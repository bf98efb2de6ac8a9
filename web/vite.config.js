import { defineConfig } from 'vite';

// Built into web/dist (served by nginx from the web root) with relative
// asset paths.  `npm run dev` proxies the API to a running stack.
const api = process.env.PITWALL_URL || 'https://127.0.0.1:8440';
const proxied = ['/auth', '/time', '/questions', '/run', '/runcustom',
  '/submit', '/submissions', '/leaderboard', '/live', '/admin'];

export default defineConfig({
  base: './',
  // Two pages: the contestants' (index.html) and the jury's (jury.html).
  build: {
    outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500,
    rollupOptions: { input: { main: 'index.html', jury: 'jury.html' } },
  },
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: api, secure: false, changeOrigin: true }])),
  },
});
