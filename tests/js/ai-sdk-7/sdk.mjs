// The Vercel AI SDK 7 (pinned in ./package.json; its OpenTelemetry support is the separate @ai-sdk/otel), behind
// the small interface ../vercel-ai.mjs drives.
import { createRequire } from 'node:module';
import { registerTelemetry } from 'ai';
import { OpenTelemetry, LegacyOpenTelemetry } from '@ai-sdk/otel';

export { generateText, streamText, generateObject, embed, embedMany, tool, stepCountIs } from 'ai';
export { createOpenAI } from '@ai-sdk/openai';

const require = createRequire(import.meta.url);
export const versions = {
  ai: require('ai/package.json').version,
  '@ai-sdk/openai': require('@ai-sdk/openai/package.json').version,
  '@ai-sdk/otel': require('@ai-sdk/otel/package.json').version,
};

/**
 * `otel`: @ai-sdk/otel's OpenTelemetry (GenAI semantic-convention spans), with the call's runtime context as attributes;
 * `legacy`: its LegacyOpenTelemetry (the ai.* spans of SDK 5 and 6).
 */
export const integrations = ['otel', 'legacy'];
export function register(integration) {
  registerTelemetry(integration === 'legacy' ? new LegacyOpenTelemetry() : new OpenTelemetry({ runtimeContext: true }));
}

export const embeddingModel = (openai, id) => openai.embedding(id);

/** SDK 7 has no telemetry metadata: the values are the call's runtime context, included in telemetry key by key. */
export function callOptions({ functionId, metadata, recordContent }) {
  const include = Object.fromEntries(Object.keys(metadata).map((k) => [k, true]));
  return { runtimeContext: metadata, telemetry: { functionId, recordInputs: recordContent, recordOutputs: recordContent, includeRuntimeContext: include } };
}
