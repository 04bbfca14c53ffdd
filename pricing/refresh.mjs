#!/usr/bin/env node
// Refreshes pricing/model-prices.json from the MIT-licensed npm package @pydantic/genai-prices.
//
//   node pricing/refresh.mjs            # the newest version the registry serves
//   node pricing/refresh.mjs 0.1.8      # one version
//
// The package is installed into a temporary folder with npm, its bundled data read through its public API
// (waitForUpdate() resolves to the bundled providers before any update), and converted into OtelLlm's file
// format (docs/prices.md): provider ids become gen_ai.provider.name values, every model keeps its match rule,
// date-effective and time-of-day periods, tiers and cache prices, and the file records the package, its version,
// licence and publication date. The package's licence is copied next to the data.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PACKAGE = '@pydantic/genai-prices';
const here = dirname(fileURLToPath(import.meta.url));

// The package's provider ids → gen_ai.provider.name values (semantic conventions v1.41). Ids the conventions do not
// name keep the package's id.
const CANONICAL = {
  anthropic: 'anthropic',
  aws: 'aws.bedrock',
  azure: 'azure.ai.openai',
  cohere: 'cohere',
  deepseek: 'deepseek',
  google: 'gcp.gemini',
  groq: 'groq',
  mistral: 'mistral_ai',
  moonshotai: 'moonshot_ai',
  openai: 'openai',
  openrouter: 'openrouter',
  perplexity: 'perplexity',
  'x-ai': 'x_ai',
};
// Other gen_ai.provider.name values billed from the same list.
const ALIASES = {
  'azure.ai.openai': ['azure.ai.inference'],
  'gcp.gemini': ['gcp.vertex_ai', 'gcp.gen_ai'],
};
// Platforms that serve other vendors' models: a model they do not list is priced at its maker's list.
const HOSTING = new Set(['aws.bedrock', 'azure.ai.openai', 'gcp.gemini', 'openrouter']);
// Model makers first, so a call that names no provider is priced at the maker's list rather than a reseller's.
const FIRST = ['openai', 'anthropic', 'gcp.gemini', 'mistral_ai', 'x_ai', 'deepseek', 'cohere', 'moonshot_ai', 'groq', 'perplexity'];

const npm = (...args) => execFileSync('npm', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

const wanted = process.argv[2] ?? 'latest';
const version = JSON.parse(npm('view', `${PACKAGE}@${wanted}`, 'version', '--json'));
const published = JSON.parse(npm('view', PACKAGE, 'time', '--json'))[version];
if (typeof version !== 'string' || !published) throw new Error(`${PACKAGE}@${wanted}: no such version`);

const work = mkdtempSync(join(tmpdir(), 'genai-prices-'));
try {
  npm('install', '--prefix', work, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `${PACKAGE}@${version}`);
  const root = join(work, 'node_modules', ...PACKAGE.split('/'));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const { waitForUpdate } = await import(pathToFileURL(join(root, manifest.module ?? 'dist/index.js')).href);
  const providers = await waitForUpdate();
  if (!Array.isArray(providers) || providers.length === 0) throw new Error(`${PACKAGE}@${version} has no bundled price data`);
  const licence = readFileSync(join(root, 'LICENSE'), 'utf8');
  const copyright = (licence.match(/^Copyright .*$/m) ?? [''])[0];

  const canonical = id => CANONICAL[id] ?? id;
  const converted = providers.map(p => {
    const id = canonical(p.id);
    const out = { id, source_id: p.id, name: p.name };
    if (ALIASES[id]) out.aliases = ALIASES[id];
    if (HOSTING.has(id)) out.hosting = true;
    if (p.pricing_urls?.length) out.pricing_urls = p.pricing_urls;
    if (p.price_comments) out.price_comments = p.price_comments;
    if (p.provider_match) out.provider_match = p.provider_match;
    if (p.model_match) out.model_match = p.model_match;
    if (p.fallback_model_providers?.length) out.fallback = p.fallback_model_providers.map(canonical);
    out.models = p.models.map(m => {
      const model = { id: m.id };
      if (m.name) model.name = m.name;
      model.match = m.match;
      if (m.context_window) model.context_window = m.context_window;
      if (m.deprecated) model.deprecated = true;
      if (m.price_comments) model.price_comments = m.price_comments;
      model.prices = Array.isArray(m.prices)
        ? m.prices.map(c => (c.constraint ? { constraint: c.constraint, prices: c.prices } : { prices: c.prices }))
        : m.prices;
      return model;
    });
    return out;
  });
  const rank = p => (FIRST.includes(p.id) ? FIRST.indexOf(p.id) : FIRST.length);
  converted.sort((a, b) => rank(a) - rank(b));

  const file = {
    format: 'otel-llm-prices/2',
    currency: 'USD',
    taken_on: published.slice(0, 10),
    source: {
      name: PACKAGE,
      version,
      license: manifest.license,
      copyright,
      homepage: manifest.homepage,
      published,
      refresh: 'node pricing/refresh.mjs [version]',
    },
    providers: converted,
  };

  // One model per line keeps refresh diffs readable.
  const lines = ['{'];
  for (const key of ['format', 'currency', 'taken_on', 'source']) lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(file[key])},`);
  lines.push('  "providers": [');
  converted.forEach((p, i) => {
    const { models, ...head } = p;
    const headJson = JSON.stringify(head);
    lines.push(`    ${headJson.slice(0, -1)}, "models": [`);
    models.forEach((m, j) => lines.push(`      ${JSON.stringify(m)}${j < models.length - 1 ? ',' : ''}`));
    lines.push(`    ]}${i < converted.length - 1 ? ',' : ''}`);
  });
  lines.push('  ]', '}', '');
  writeFileSync(join(here, 'model-prices.json'), lines.join('\n'));
  copyFileSync(join(root, 'LICENSE'), join(here, 'LICENSE.genai-prices'));

  const count = converted.reduce((n, p) => n + p.models.length, 0);
  console.log(`pricing/model-prices.json: ${count} models of ${converted.length} providers from ${PACKAGE} ${version} (published ${published})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
