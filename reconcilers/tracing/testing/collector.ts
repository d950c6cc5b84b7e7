/**
 * An OpenTelemetry Collector for tests: the collector's own OTLP/HTTP receiver on loopback, writing every
 * trace it accepts to a file in OTLP's JSON encoding (contrib's file exporter), so a test reads what a real
 * receiver made of the exporter's requests. Built once from its Go modules by the collector's builder (ocb)
 * into the test bed's cache: `node lib/reconcilers/tracing/testing/collector.js` (a step of `npm test`).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { partialPath, publish } from "../../../testbed/atomic.js";
import { cacheRoot } from "../../../testbed/binaries.js";
import { run } from "../../../testbed/command.js";
import { freePort } from "../../../testbed/ports.js";
import { ManagedProcess } from "../../../testbed/process.js";
import { stderrLog, timed } from "../../../testbed/progress.js";

// One collector release for every module: core at v0.161.0 (its stable modules at v1.67.0), contrib's file exporter of the same release.
const RELEASE = "v0.161.0";
const STABLE = "v1.67.0";
const NAME = "otelcol-testbed";

/** The builder's manifest: only what the tests use, so that the build stays small. */
const manifest = (output: string) => `dist:
  name: ${NAME}
  description: OpenTelemetry Collector for orchest-gitops tests (OTLP/HTTP in, OTLP JSON file out)
  output_path: ${output}
receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver ${RELEASE}
exporters:
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter ${RELEASE}
providers:
  - gomod: go.opentelemetry.io/collector/confmap/provider/fileprovider ${STABLE}
conf_resolver:
  default_uri_scheme: file
`;

/** The collector's binary, built by its builder into the test bed's cache unless it is there already. */
export async function ensureCollector(): Promise<string> {
  const dir = join(cacheRoot(), "bin", `otelcol-${RELEASE}`);
  const binary = join(dir, NAME);
  if (existsSync(binary)) return binary;
  const staging = partialPath(dir);
  mkdirSync(staging, { recursive: true });
  const env = { ...process.env, GOBIN: staging, GOTOOLCHAIN: "local", CGO_ENABLED: "0" };
  await timed(stderrLog, `building the OpenTelemetry Collector ${RELEASE} (OTLP receiver, file exporter) with its builder`, async () => {
    await run("go", ["install", `go.opentelemetry.io/collector/cmd/builder@${RELEASE}`], { env });
    writeFileSync(join(staging, "manifest.yaml"), manifest(staging));
    await run(join(staging, "builder"), ["--config", join(staging, "manifest.yaml")], { env, cwd: staging });
  });
  publish(staging, dir);
  return binary;
}

/** A span as OTLP's JSON encoding writes it (ids in hex). */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes?: ReadonlyArray<{ readonly key: string; readonly value: Readonly<Record<string, unknown>> }>;
}

/** One line of the file exporter's output. */
interface TracesData {
  readonly resourceSpans?: ReadonlyArray<{ readonly scopeSpans?: ReadonlyArray<{ readonly spans?: readonly OtlpSpan[] }> }>;
}

/** A running collector. */
export interface Collector {
  /** Base URL of its OTLP/HTTP receiver, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  /** Every span it has written so far. */
  spans(): OtlpSpan[];
  stop(): Promise<void>;
}

/** Starts a collector whose receiver listens on a free loopback port. */
export async function startCollector(): Promise<Collector> {
  const binary = await ensureCollector();
  const dir = mkdtempSync(join(tmpdir(), "otelcol-"));
  const port = await freePort();
  const output = join(dir, "traces.jsonl");
  writeFileSync(
    join(dir, "config.yaml"),
    `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
exporters:
  file:
    path: ${output}
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file]
`,
  );
  const collector = new ManagedProcess("otelcol", binary, ["--config", `file:${join(dir, "config.yaml")}`], join(dir, "otelcol.log"));
  const endpoint = `http://127.0.0.1:${port}`;
  // Any HTTP answer means the receiver listens.
  await collector.waitUntil("listening", () => fetch(endpoint).then(() => true));
  return {
    endpoint,
    spans: () => {
      if (!existsSync(output)) return [];
      // One export a line; the last line may still be written.
      const lines = readFileSync(output, "utf8").split("\n").slice(0, -1);
      return lines.flatMap((line) => (JSON.parse(line) as TracesData).resourceSpans?.flatMap((r) => r.scopeSpans?.flatMap((s) => s.spans ?? []) ?? []) ?? []);
    },
    stop: () => collector.stop(),
  };
}

// `node lib/reconcilers/tracing/testing/collector.js` builds it ahead of a test run (a cold build outlasts ava's timeout).
if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(await ensureCollector());
