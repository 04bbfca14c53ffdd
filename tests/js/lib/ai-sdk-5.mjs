// The Vercel AI SDK 5 (pinned in ../package.json), behind the small interface vercel-ai.mjs drives.
import { createRequire } from 'node:module';

export { generateText, streamText, generateObject, embed, embedMany, tool, stepCountIs } from 'ai';
export { createOpenAI } from '@ai-sdk/openai';

const require = createRequire(import.meta.url);
export const versions = { ai: require('ai/package.json').version, '@ai-sdk/openai': require('@ai-sdk/openai/package.json').version };

/** SDK 5 has one telemetry integration, built in: spans on the global tracer provider. */
export const integrations = ['builtin'];
export function register() {}

export const embeddingModel = (openai, id) => openai.textEmbeddingModel(id);

/** The options every call gets: telemetry on, with the function id and metadata. */
export function callOptions({ functionId, metadata, recordContent }) {
  return { experimental_telemetry: { isEnabled: true, functionId, metadata, recordInputs: recordContent, recordOutputs: recordContent } };
}
