import type { EventDelivery, Subscriber } from "../../crds/types/index.js";
import type { KubeObject } from "../../reconcilers/index.js";

export const EVENT_DELIVERY = { apiVersion: "orchest.io/v1alpha1", kind: "EventDelivery" } as const;

// The engine is untyped on purpose (any kind); the generated CRD types are exact. These cross between them.

export function asKube(obj: EventDelivery | Subscriber): KubeObject {
  return obj as unknown as KubeObject;
}

export function asDelivery(obj: KubeObject): EventDelivery {
  return obj as unknown as EventDelivery;
}

export function asSubscriber(obj: KubeObject): Subscriber {
  return obj as unknown as Subscriber;
}
