import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/** The Mini App is served by the gateway under /app (gateway/mini-app); `npm run build:mini-app` writes dist/. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [preact()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // no inline polyfill script: the page's CSP allows scripts from its own origin only
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    // `npx vite clients/mini-app`: API calls go to the gateway started by `npm start`
    proxy: { '/graphql': { target: 'http://127.0.0.1:4000', ws: true } },
  },
});
