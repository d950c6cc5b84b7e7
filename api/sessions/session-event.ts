import type { Session, SessionStatus } from "../../crds/types/index.js";
import { InteractiveSessionEvent, transitionEventId, type OrchestEvent, type Outbox } from "../events/index.js";

/** What happens to a session, as Orchest's `project:pipeline:interactive-session:*` events name it. */
export type SessionTransition = "started" | "succeeded" | "failed" | "stopped";

/** Receives the session with the status that shows the transition; may be called again for the same one. */
export type SessionTransitionSink = (session: Session, transition: SessionTransition) => Promise<void>;

/**
 * The transitions from one status to the next: started when the session is first seen (its server is being
 * launched), succeeded when its server first answered (startTime is set once, so a server that restarts does not
 * succeed again), failed when it did not start in time (Failed is final). Stopped is the deletion's, recorded apart.
 */
export function sessionTransitions(previous: SessionStatus, next: SessionStatus): SessionTransition[] {
  const transitions: SessionTransition[] = [];
  if (previous.phase === undefined) transitions.push("started");
  if (!previous.startTime && next.startTime) transitions.push("succeeded");
  if (previous.phase !== "Failed" && next.phase === "Failed") transitions.push("failed");
  return transitions;
}

/** The Orchest event of one transition of a session. Its id is the same whenever it is built again. */
export function sessionEvent(session: Session, transition: SessionTransition): OrchestEvent {
  const { spec, metadata } = session;
  const at = { started: metadata?.creationTimestamp, succeeded: session.status?.startTime, failed: session.status?.completionTime, stopped: metadata?.deletionTimestamp }[transition];
  return new InteractiveSessionEvent({
    id: transitionEventId(metadata!.uid!, transition),
    type: `project:pipeline:interactive-session:${transition}`,
    timestamp: new Date(at ?? Date.now()),
    project: { uuid: spec.project, name: spec.projectName ?? "" },
    pipeline: { uuid: spec.pipeline.uuid, path: spec.pipeline.path, name: spec.pipeline.name ?? "" },
    // Services of a session are not part of this resource (yet): none.
    session: { userServices: [] },
  });
}

/** Records every transition through the outbox; recording one again delivers nothing new. */
export function recordSessionEvents(outbox: Pick<Outbox, "record">): SessionTransitionSink {
  return async (session, transition) => void (await outbox.record(sessionEvent(session, transition)));
}
