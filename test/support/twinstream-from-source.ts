// `node --import ./test/support/twinstream-from-source.ts program.ts` runs a program that imports `twinstream`
// or `twinstream/<entry>` against this repository's sources, with no build: each entry point of package.json
// "exports" (./dist/<path>.js) resolves to src/<path>.ts. Used to run the README's and the docs' snippets as a
// user pastes them.
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, string | { default: string }>;
};
const sources = new Map<string, string>();
for (const [key, target] of Object.entries(manifest.exports)) {
  const file = typeof target === 'string' ? target : target.default;
  if (!file.startsWith('./dist/')) continue;
  const source = new URL(file.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'), root);
  sources.set(key === '.' ? 'twinstream' : `twinstream/${key.slice(2)}`, source.href);
}

registerHooks({
  resolve(specifier, context, next) {
    const source = sources.get(specifier);
    if (source !== undefined) return { url: source, shortCircuit: true, format: 'module-typescript' };
    return next(specifier, context);
  },
});

export const entryPoints: ReadonlyMap<string, string> = sources;
