// Interactive sessions: the Session controller, each session's Jupyter server, and the session's events.
export { addSessionController, SESSION, SESSION_EVENTS_FINALIZER, type SessionControllerOptions } from "./session-controller.js";
export { jupyterServerDeployment, jupyterServerIngress, jupyterServerService, type SessionIngress, serverName, serverUrl, DEFAULT_JUPYTER_IMAGE, SESSION_UID_LABEL, SSH_AUTH_SOCK } from "./jupyter-server.js";
export { sessionEvent, sessionTransitions, recordSessionEvents, type SessionTransition, type SessionTransitionSink } from "./session-event.js";
export { addEnvironmentShellController, ENVIRONMENT_SHELL, type EnvironmentShellControllerOptions } from "./environment-shell-controller.js";
export { environmentShellDeployment, environmentShellService, shellName, ENVIRONMENT_SHELL_UID_LABEL } from "./environment-shell.js";
export { shellKeysSecret, shellKeysSecretName, shellKeyPair, SHELL_SSH_CONFIG, SHELL_CLIENT_DIR } from "./shell-keys.js";
