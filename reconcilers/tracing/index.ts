/**
 * OpenTelemetry traces of the engine: one span per reconcile (the object's
 * key, the controller and the result) with a child span per API request.
 *
 * Off by default: spans go to the global tracer provider of
 * `@opentelemetry/api`, which does nothing until one is registered. A process
 * whose environment names an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) registers the SDK's provider with the
 * OTLP/HTTP exporter at its first span; an application that registers its
 * own provider gets the engine's spans in its traces instead.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import type { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVICE_NAME, ATTR_URL_PATH } from "@opentelemetry/semantic-conventions";
import { createRequire } from "node:module";
import { basename } from "node:path";

// The SDK and the exporter are loaded only when tracing is on: importing them costs every process start-up.
const require = createRequire(import.meta.url);

/** Attribute names of the reconcile span (no semantic convention covers controllers). */
export const RECONCILE_ATTRIBUTES = { controller: "k8s.controller.name", key: "k8s.object.key", result: "k8s.reconcile.result" } as const;

let provider: NodeTracerProvider | undefined;
let tracer: Tracer | undefined;

/** The SDK's provider with the OTLP exporter, when the environment names an endpoint (the exporter reads the rest of OTEL_*). */
function providerFromEnvironment(): NodeTracerProvider | undefined {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || process.env.OTEL_TRACES_EXPORTER === "none" || process.env.OTEL_SDK_DISABLED === "true") return undefined;
  const { BatchSpanProcessor, NodeTracerProvider } = require("@opentelemetry/sdk-trace-node") as typeof import("@opentelemetry/sdk-trace-node");
  const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-http") as typeof import("@opentelemetry/exporter-trace-otlp-http");
  const { resourceFromAttributes } = require("@opentelemetry/resources") as typeof import("@opentelemetry/resources");
  const serviceName = process.env.OTEL_SERVICE_NAME ?? basename(process.argv[1] ?? "node", ".js");
  const sdk = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  sdk.register();
  return sdk;
}

function engineTracer(): Tracer {
  if (!tracer) {
    provider = providerFromEnvironment();
    tracer = trace.getTracer("orchest-gitops/reconcilers");
  }
  return tracer;
}

/** Runs `fn` in a span that ends with it; a rejection marks the span as an error (plus `failed`) and is rethrown. */
async function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, fn: () => Promise<T>, finish: (span: Span, value: T) => void, failed: Attributes = {}): Promise<T> {
  return engineTracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      const value = await fn();
      finish(span, value);
      return value;
    } catch (error) {
      span.setAttributes(failed);
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** One reconcile of `key` by `controller`; API requests made while it runs become its children. */
export function traceReconcile<T extends { requeueAfter?: number } | void>(controller: string, key: string, reconcile: () => Promise<T>): Promise<T> {
  const attributes = { [RECONCILE_ATTRIBUTES.controller]: controller, [RECONCILE_ATTRIBUTES.key]: key };
  const finish = (span: Span, result: T) => span.setAttribute(RECONCILE_ATTRIBUTES.result, result && result.requeueAfter ? "requeue_after" : "success");
  return inSpan(`reconcile ${controller}`, SpanKind.INTERNAL, attributes, reconcile, finish, { [RECONCILE_ATTRIBUTES.result]: "error" });
}

/** One request to the API server; the span ends when the response's headers have arrived. */
export function traceRequest<T extends { statusCode?: number }>(method: string, path: string, send: () => Promise<T>): Promise<T> {
  return inSpan(method, SpanKind.CLIENT, { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: path }, send, (span, res) => {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode ?? 0);
    if ((res.statusCode ?? 0) >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
  });
}

/** Exports the spans still buffered (before a process exits); a no-op when tracing is off. */
export async function flushTraces(): Promise<void> {
  await provider?.forceFlush();
}
