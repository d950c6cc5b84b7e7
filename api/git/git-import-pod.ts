import type { GitImport, GitImportStatus } from "../../crds/types/index.js";
import { withControllerReference, type KubeObject } from "../../reconcilers/index.js";
import { projectImages } from "../../synth/project-images.js";
import { childName } from "../pipelines/names.js";
import { KNOWN_HOSTS_CONFIG_MAP } from "./git-injection.js";

export const GIT_IMPORT_UID_LABEL = "orchest.io/git-import-uid";
/** Where the clone sees the user directory. */
export const USERDIR = "/userdir";
/** git's last words kept in status: the end of its stderr is what says why. */
const MESSAGE_LIMIT = 1024;
/** ssh's words for a host whose key is not in known_hosts (or differs from it). */
const HOST_KEY_REFUSED = /Host key verification failed/;
const UNKNOWN_HOST_FIX = `\n(ssh knows the hosts listed in ConfigMap ${KNOWN_HOSTS_CONFIG_MAP} (key known_hosts) of this namespace: add the host's line, as \`ssh-keyscan HOST\` prints it, and import again)`;

/** The image of git imports that name none, of this project's release (the api's --git-image says otherwise). */
export const DEFAULT_GIT_IMAGE = projectImages().git;

/**
 * The pod of a GitImport, before the auth user's git settings are added: `git clone` with the URL, ref and
 * target as arguments (no shell), as root on the user directory, never restarted, owned by the import; in the
 * import's image, else `defaultImage`.
 */
export function gitImportPod(gi: GitImport, defaultImage: string): KubeObject {
  const { url, ref, userdir } = gi.spec;
  const image = gi.spec.image ?? defaultImage;
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: childName(gi.metadata!.name!, "git-import"),
      namespace: gi.metadata!.namespace!,
      labels: { [GIT_IMPORT_UID_LABEL]: gi.metadata!.uid!, "app.kubernetes.io/managed-by": "orchest-api" },
    },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      securityContext: { runAsUser: 0 },
      containers: [
        {
          name: "git",
          image,
          command: ["git", "clone", ...(ref ? ["--branch", ref] : []), "--", url, `${USERDIR}/${userdir.path.replace(/\/+$/, "")}`],
          terminationMessagePolicy: "FallbackToLogsOnError",
          volumeMounts: [{ name: "userdir", mountPath: USERDIR }],
        },
      ],
      volumes: [{ name: "userdir", persistentVolumeClaim: { claimName: userdir.claimName } }],
    },
  };
  return withControllerReference(pod, gi as unknown as KubeObject);
}

/** The import's phase as its pod shows it. */
export function importStatusOf(pod: KubeObject): Pick<GitImportStatus, "phase" | "reason" | "message"> {
  const status = pod.status as { phase?: string; containerStatuses?: { state?: { terminated?: { message?: string; reason?: string; exitCode?: number } } }[] } | undefined;
  switch (status?.phase) {
    case "Running":
      return { phase: "Running" };
    case "Succeeded":
      return { phase: "Succeeded" };
    case "Failed": {
      const terminated = status.containerStatuses?.[0]?.state?.terminated;
      const said = terminated?.message?.trim();
      return {
        phase: "Failed",
        reason: "CloneFailed",
        message: said ? `${said.slice(-MESSAGE_LIMIT)}${HOST_KEY_REFUSED.test(said) ? UNKNOWN_HOST_FIX : ""}` : `git exited with code ${terminated?.exitCode ?? "unknown"} (${terminated?.reason ?? "no reason given"})`,
      };
    }
    default:
      return { phase: "Pending" };
  }
}
