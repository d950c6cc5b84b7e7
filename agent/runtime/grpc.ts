import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

// The compiled module runs from lib/agent/runtime/; the .proto files stay in the source tree.
const protoDir = fileURLToPath(new URL("../../../agent/runtime/proto/", import.meta.url));

type ServiceClient = grpc.Client & Record<string, Function>;

/** A client of one gRPC service of a local daemon, over its unix socket. */
export function serviceClient(socket: string, protoFile: string, service: string): ServiceClient {
  const definition = protoLoader.loadSync(protoFile, {
    includeDirs: [protoDir],
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition);
  const Client = service.split(".").reduce<any>((node, part) => node?.[part], loaded) as grpc.ServiceClientConstructor | undefined;
  if (!Client) throw new Error(`service ${service} is not defined in ${protoFile}`);
  return new Client(`unix://${socket}`, grpc.credentials.createInsecure(), {
    // Image lists of busy nodes exceed gRPC's default 4 MiB.
    "grpc.max_receive_message_length": 64 << 20,
  }) as ServiceClient;
}

/** Calls a unary method; a gRPC error keeps its status code and gets the method name in its message. */
export function unary<Res>(client: ServiceClient, method: string, request: object, options: { metadata?: grpc.Metadata; timeoutMs: number }): Promise<Res> {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + options.timeoutMs);
    client[method]!.call(client, request, options.metadata ?? new grpc.Metadata(), { deadline }, (error: grpc.ServiceError | null, response: Res) => {
      if (error) reject(Object.assign(new Error(`${method}: ${error.details || error.message}`, { cause: error }), { code: error.code }));
      else resolve(response);
    });
  });
}

/** Calls a server-streaming method and yields its messages. */
export async function* serverStream<Res>(client: ServiceClient, method: string, request: object, metadata: grpc.Metadata): AsyncGenerator<Res> {
  const call = client[method]!.call(client, request, metadata) as grpc.ClientReadableStream<Res>;
  try {
    for await (const message of call) yield message as Res;
  } catch (error) {
    const e = error as grpc.ServiceError;
    throw Object.assign(new Error(`${method}: ${e.details || e.message}`, { cause: e }), { code: e.code });
  } finally {
    call.cancel();
  }
}

export const isNotFound = (error: unknown): boolean => (error as { code?: number }).code === grpc.status.NOT_FOUND;
export { grpc };
