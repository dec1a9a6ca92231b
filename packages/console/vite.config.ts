import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console is built once into dist/ (scripts/ensure-built.mjs runs this before `npm start` and
 * the console tests) and served by the site itself; there is no dev server in production.
 */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The first page's budget is checked by the console tests, not by a warning.
    chunkSizeWarningLimit: 1000,
    reportCompressedSize: false,
  },
});
