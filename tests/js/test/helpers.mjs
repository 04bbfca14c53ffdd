// Helpers shared by the self-tests: run a script as a child process, decode OTLP/JSON bodies.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `node <script> ...args` in the harness folder; resolves { code, stdout, stderr } (never rejects on exit code). */
export function runScript(script, args, { timeoutMs = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, script), ...args], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`${script} did not finish: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

/** Parses the script's one-line JSON summary, failing with its stderr when it is missing. */
export function summaryOf(result) {
  const lines = result.stdout.trim().split('\n').filter(Boolean);
  if (result.code !== 0 || lines.length !== 1) {
    throw new Error(`exit ${result.code}, stdout lines ${lines.length}\nstderr: ${result.stderr}`);
  }
  return JSON.parse(lines[0]);
}

/** OTLP/JSON AnyValue -> plain JS value. */
export function anyValue(v) {
  if (v === undefined || v === null) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(anyValue);
  if ('kvlistValue' in v) return attributesOf(v.kvlistValue.values);
  return undefined;
}

/** OTLP/JSON KeyValue[] -> { key: value }. */
export function attributesOf(list) {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
}

/** Flattens OTLP/JSON export bodies of one signal into [{ resource, scope, item }]. */
export function flatten(bodies, signal) {
  const [resourceKey, scopeKey, itemKey] = {
    traces: ['resourceSpans', 'scopeSpans', 'spans'],
    logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
    metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  }[signal];
  const out = [];
  for (const body of bodies) {
    for (const r of body[resourceKey] ?? []) {
      const resource = attributesOf(r.resource?.attributes);
      for (const s of r[scopeKey] ?? []) {
        for (const item of s[itemKey] ?? []) out.push({ resource, scope: s.scope ?? {}, item });
      }
    }
  }
  return out;
}

/** JSON bodies the sink received for one signal. */
export function jsonBodies(sink, signal) {
  return sink.requests.filter((r) => r.signal === signal).map((r) => JSON.parse(r.body.toString('utf8')));
}
