// Interactive sessions: the Session controller, each session's Jupyter server, and the session's events.
export { addSessionController, SESSION, SESSION_EVENTS_FINALIZER, type SessionControllerOptions } from "./session-controller.js";
export { jupyterServerDeployment, jupyterServerIngress, jupyterServerService, type SessionIngress, serverName, serverUrl, serverReady, DEFAULT_JUPYTER_IMAGE, SESSION_UID_LABEL, SSH_AUTH_SOCK } from "./jupyter-server.js";
export { sessionEvent, sessionTransitions, recordSessionEvents, type SessionTransition, type SessionTransitionSink } from "./session-event.js";
