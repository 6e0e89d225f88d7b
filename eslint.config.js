import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const repoRoot = dirname(fileURLToPath(import.meta.url));
const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (spec) => spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]);

/**
 * Boundaries by allow-list (issue 17): each runtime folder names the project folders its files may import from (a
 * relative import is resolved to its file and must land inside one of them) and which packages it may use. Anything
 * not listed is an error. README.md "Layout" states the same table.
 *   options: { zone, allow: [repo-relative folders], packages: 'any' | 'any-but-node' | [names], except?: [names] }
 */
const allowedImports = {
  meta: { type: 'problem', schema: [{ type: 'object', additionalProperties: true }] },
  create(context) {
    const { zone, allow, packages, except = [] } = context.options[0];
    const fromDir = dirname(context.filename);
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string') return;
      const spec = source.value;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = relative(repoRoot, resolve(fromDir, spec.replace(/\?.*$/, '')))
          .split(sep)
          .join('/');
        if (allow.some((dir) => target === dir || target.startsWith(`${dir}/`))) return;
        context.report({ node, message: `${zone} may import only from ${allow.join(', ')} (this import resolves to ${target}).` });
        return;
      }
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      const ok =
        except.includes(name) || except.includes(spec)
          ? false
          : packages === 'any'
            ? true
            : packages === 'any-but-node'
              ? !isNodeBuiltin(spec)
              : packages.includes(name);
      if (!ok) {
        const allowedPkgs = packages === 'any' ? 'any package' : packages === 'any-but-node' ? 'npm packages (no Node built-ins)' : packages.join(', ');
        context.report({
          node,
          message: `${zone} may not import '${spec}': allowed are ${allowedPkgs}${except.length ? ` except ${except.join(', ')}` : ''}.`,
        });
      }
    };
    return {
      ImportDeclaration: (n) => check(n, n.source),
      ExportAllDeclaration: (n) => check(n, n.source),
      ExportNamedDeclaration: (n) => check(n, n.source),
      ImportExpression: (n) => check(n, n.source.type === 'Literal' ? n.source : null),
      // typescript-eslint 8 gives `source`; older versions `argument` (a TSLiteralType)
      TSImportType: (n) => check(n, n.source ?? (n.argument?.type === 'TSLiteralType' ? n.argument.literal : null)),
    };
  },
};

/** Pure modules shared by the renderer, the feed and the build: no Node built-ins, no server or build code. */
const SHARED_PURE = ['data-pipelines/contracts', 'data-pipelines/geo', 'data-pipelines/routing', 'data-pipelines/indoor'];
/** Run-time server code (feed server, real sources, people service). */
const FEED_RUNTIME = ['data-pipelines/feed', 'data-pipelines/sources', 'data-pipelines/people', 'data-pipelines/shared'];

/** What renderer state and data code may use: everything in renderer/src but views/, layers/, ui/ and the entry. */
const RENDERER_BELOW_VIEWS = [
  'stores',
  'data',
  'types',
  'palette.ts',
  'i18n',
  'i18n.ts',
  'import',
  'analysis',
  'basemap',
  'models',
  'feed',
  'work',
  'wall',
  'video',
  'grid',
  'bridge',
].map((d) => `renderer/src/${d}`);

const zone = (files, options, ignores) => ({
  files,
  ...(ignores ? { ignores } : {}),
  rules: { 'redwall/allowed-imports': ['error', options] },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', 'assets/', 'test-results/', '.scratch/', 'data-pipelines/inputs/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { redwall: { rules: { 'allowed-imports': allowedImports } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  // The renderer: its own code, the shared pure modules (routing and indoor plan evacuations and indoor layouts in the
  // browser too) and the bridge types; npm packages, but never Node built-ins or Electron itself.
  zone(['renderer/src/**/*.ts'], {
    zone: 'renderer/src',
    allow: ['renderer/src', ...SHARED_PURE, 'electron/bridge'],
    packages: 'any-but-node',
    except: ['electron'],
  }),
  // Inside the renderer, state and data sit below the views, layers and panels: stores/ never import views/, layers/
  // or ui/ (shared types live in types/, the palette in palette.ts), and data/ does not import stores/ either.
  zone(['renderer/src/stores/**/*.ts'], {
    zone: 'renderer/src/stores',
    allow: [...RENDERER_BELOW_VIEWS, ...SHARED_PURE],
    packages: 'any-but-node',
    except: ['electron'],
  }),
  zone(['renderer/src/data/**/*.ts'], {
    zone: 'renderer/src/data',
    allow: [...RENDERER_BELOW_VIEWS.filter((d) => d !== 'renderer/src/stores'), ...SHARED_PURE],
    packages: 'any-but-node',
    except: ['electron'],
  }),
  // The bridge is shared by preload, main and the web shell: contracts only.
  zone(['electron/bridge/**/*.ts'], {
    zone: 'electron/bridge',
    allow: ['electron/bridge', 'data-pipelines/contracts'],
    packages: 'any-but-node',
    except: ['electron'],
  }),
  // The sandboxed preload: contextBridge + the bridge, nothing else.
  zone(['electron/preload/**/*.ts'], { zone: 'electron/preload', allow: ['electron/preload', 'electron/bridge'], packages: ['electron'] }),
  // The main process (Node, no DOM: its tsconfig has no DOM lib): the bridge and the feed server it starts; never the renderer.
  zone(['electron/main/**/*.ts'], { zone: 'electron/main', allow: ['electron/main', 'electron/bridge', ...SHARED_PURE, ...FEED_RUNTIME], packages: 'any' }),
  // Shared pure modules: each other only, no Node built-ins (the renderer bundles them).
  zone(['data-pipelines/contracts/**/*.ts'], { zone: 'data-pipelines/contracts', allow: ['data-pipelines/contracts'], packages: 'any-but-node' }),
  zone(['data-pipelines/geo/**/*.ts'], { zone: 'data-pipelines/geo', allow: ['data-pipelines/geo'], packages: 'any-but-node' }),
  zone(['data-pipelines/routing/**/*.ts', 'data-pipelines/indoor/**/*.ts'], {
    zone: 'data-pipelines/routing and indoor',
    allow: SHARED_PURE,
    packages: 'any-but-node',
  }),
  zone(['data-pipelines/shared/**/*.ts'], { zone: 'data-pipelines/shared', allow: ['data-pipelines/shared'], packages: 'any-but-node' }),
  // Run-time feed code: never the build-time etl/, Electron or the renderer.
  zone(['data-pipelines/feed/**/*.ts', 'data-pipelines/sources/**/*.ts', 'data-pipelines/people/**/*.ts'], {
    zone: 'data-pipelines run-time code (feed, sources, people)',
    allow: [...SHARED_PURE, ...FEED_RUNTIME],
    packages: 'any',
  }),
  // Build-time ETL: the shared modules and itself; never the feed.
  zone(['data-pipelines/etl/**/*.ts'], {
    zone: 'data-pipelines/etl',
    allow: [...SHARED_PURE, 'data-pipelines/shared', 'data-pipelines/etl', 'data-pipelines/tiles3d'],
    packages: 'any',
  }),
  // 3D Tiles writers (build time): pure geometry and file formats, used by the ETL and the tests
  zone(['data-pipelines/tiles3d/**/*.ts'], {
    zone: 'data-pipelines/tiles3d',
    allow: [...SHARED_PURE, 'data-pipelines/shared', 'data-pipelines/tiles3d'],
    packages: 'any',
  }),
);
