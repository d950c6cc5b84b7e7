// Orchest's auth users: git config and SSH keys per user, in AuthUser resources and Secrets.
export { AUTH_USER, AUTH_USER_LABEL, authUserUuidProblem, upsertAuthUser, updateAuthUser, sshKeySecret, addSshKey, removeSshKey, deleteSshKeySecrets } from "./auth-users.js";
