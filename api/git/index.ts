// Git identity and SSH keys of auth users, injected into pods as env, files and mounts (never shell text).
export { gitConfigEnv, type GitIdentity } from "./git-config-env.js";
export { gitInjection, withGitInjection, SSH_KEYS_DIR, KNOWN_HOSTS_DIR, KNOWN_HOSTS_CONFIG_MAP, type GitConsumer, type GitSettings, type GitPodAdditions } from "./git-injection.js";
export { loadGitSettings } from "./git-settings.js";
export { createGitPod, gitAdditionsFor, type GitPodRequest, type GitAdditionsFor } from "./git-pod.js";
export { addGitImportController, GIT_IMPORT } from "./git-import-controller.js";
export { gitImportPod, importStatusOf, GIT_IMPORT_UID_LABEL, DEFAULT_GIT_IMAGE } from "./git-import-pod.js";
