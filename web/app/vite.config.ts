// Built by `make` (CMake's `web` target) into the build tree, where `parley serve` finds it.
// web/public (the chat widget) is copied as it is.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  publicDir: '../public',
  build: {
    outDir: process.env.PARLEY_WEB_OUT ?? '../../build/web',
    emptyOutDir: true,
    sourcemap: true,
  },
});
