import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as {
  version: string;
};
const here = (p: string) => resolve(import.meta.dirname, p);

export default defineConfig({
  root: here('src/app'),
  publicDir: here('public'),
  define: { __DISCO_VERSION__: JSON.stringify(pkg.version) },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    // dist/.vite/manifest.json: which chunks the first paint loads (bench/first_paint.ts).
    manifest: true,
    rolldownOptions: {
      output: {
        // What the first screen needs, in one chunk rather than many small shared ones; the
        // rest (relay bridge, X.509, JOSE, other pages) loads on demand (issue #13).
        codeSplitting: { groups: [{ name: 'first-paint', tags: ['$initial'] }] },
      },
    },
  },
  plugins: [
    svelte(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: here('sw'),
      filename: 'sw.ts',
      injectRegister: false,
      includeManifestIcons: false,
      manifest: {
        id: '/',
        name: 'Disco — your data, your consent',
        short_name: 'Disco',
        description:
          'Keep your personal data and keys on your own device, and approve every company that asks for them.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#5b2be0',
        background_color: '#ffffff',
        // web+disco: links (docs/wire/certificates.md "Links and QR codes") open the request in
        // Requests; the page checks the link strictly (parseProtocolLink).
        protocol_handlers: [{ protocol: 'web+disco', url: '/?disco_link=%s' }],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          {
            src: '/icons/maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        rollupFormat: 'es',
        buildPlugins: {
          vite: [
            {
              name: 'disco-version',
              config: () => ({ define: { __DISCO_VERSION__: JSON.stringify(pkg.version) } }),
            },
          ],
        },
      },
    }),
  ],
});
