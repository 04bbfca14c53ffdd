#!/usr/bin/env node
// A tiny OTLP sink used to self-check the scripts in this folder (the C# tests use the real
// receiver instead). It records every request without decoding protobuf.
//
//   node sink.mjs [--port 0] [--grpc-port 0]     prints {"httpPort":N,"grpcPort":N} and runs until killed
//
// HTTP: POST /v1/traces|logs|metrics -> 200 with an empty body of the request's content type.
// gRPC: the three OTLP Export methods, answered with an empty (valid) Export*ServiceResponse.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';

const HTTP_PATHS = { '/v1/traces': 'traces', '/v1/logs': 'logs', '/v1/metrics': 'metrics' };
const GRPC_METHODS = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

/**
 * Starts an OTLP/HTTP sink on 127.0.0.1. `failWith` (an HTTP status) makes every request fail.
 * Returns { port, url, requests, close() }; each request is
 * { signal, path, contentType, contentEncoding, size, body (Buffer, decompressed), headers }.
 */
export async function startHttpSink({ port = 0, failWith } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const contentEncoding = req.headers['content-encoding'] ?? '';
      const body = contentEncoding === 'gzip' ? gunzipSync(raw) : raw;
      const signal = req.method === 'POST' ? HTTP_PATHS[req.url] : undefined;
      if (!signal) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const contentType = req.headers['content-type'] ?? '';
      requests.push({ signal, path: req.url, contentType, contentEncoding, size: raw.length, body, headers: req.headers });
      if (failWith) {
        res.writeHead(failWith, { 'content-type': 'text/plain' }).end('sink configured to fail');
        return;
      }
      const json = contentType.startsWith('application/json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = server.address().port;
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Starts an insecure (h2c) OTLP/gRPC sink on 127.0.0.1 with a generic byte-level handler.
 * Returns { port, url, requests, close() }; each request is { signal, size, body (Buffer), metadata }.
 */
export async function startGrpcSink({ port = 0 } = {}) {
  const requests = [];
  const server = new grpc.Server();
  const identity = (x) => x;
  for (const [signal, path] of Object.entries(GRPC_METHODS)) {
    const definition = {
      Export: {
        path, requestStream: false, responseStream: false,
        requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity,
      },
    };
    server.addService(definition, {
      Export(call, callback) {
        requests.push({ signal, size: call.request.length, body: call.request, metadata: call.metadata.getMap() });
        callback(null, Buffer.alloc(0));
      },
    });
  }
  const actualPort = await new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    requests,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const get = (name) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : 0; };
  const httpSink = await startHttpSink({ port: get('--port') });
  const grpcSink = await startGrpcSink({ port: get('--grpc-port') });
  process.stdout.write(`${JSON.stringify({ httpPort: httpSink.port, grpcPort: grpcSink.port })}\n`);
  const report = () => {
    for (const r of [...httpSink.requests.splice(0), ...grpcSink.requests.splice(0)]) {
      process.stderr.write(`${r.signal} ${r.contentType ?? 'grpc'} ${r.size} bytes\n`);
    }
  };
  const timer = setInterval(report, 500);
  const stop = async () => { clearInterval(timer); report(); await httpSink.close(); await grpcSink.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
