import test from "ava";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Session } from "../../crds/types/index.js";
import { shellKeyPair, shellKeysSecret } from "./shell-keys.js";

// ssh-keygen prints its usage and exits 1 when it is there; a spawn error means it is not.
const hasSshKeygen = spawnSync("ssh-keygen", ["-?"], { stdio: "ignore" }).error === undefined;

(hasSshKeygen ? test : test.skip)("OpenSSH reads the PEM private key and derives the same public line", (t) => {
  const pair = shellKeyPair();
  const dir = mkdtempSync(join(tmpdir(), "shell-key-"));
  try {
    writeFileSync(join(dir, "key"), pair.privateKey, { mode: 0o600 });
    t.is(execFileSync("ssh-keygen", ["-y", "-f", join(dir, "key")], { encoding: "utf8" }).trim(), pair.publicKey);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a session's shell keys: the host's public key known for any host, the client's authorized, both fresh per session, owned by the Session", (t) => {
  const session = { apiVersion: "orchest.io/v1alpha1", kind: "Session", metadata: { name: "demo", namespace: "ns", uid: "u-1" } } as unknown as Session;
  const a = shellKeysSecret(session);
  const b = shellKeysSecret(session);
  const data = a.stringData as Record<string, string>;
  t.is(a.metadata.name, "jupyter-server-demo-shell-keys");
  t.regex(data.known_hosts!, /^\* ecdsa-sha2-nistp256 [A-Za-z0-9+/=]+\n$/);
  t.regex(data.authorized_keys!, /^ecdsa-sha2-nistp256 [A-Za-z0-9+/=]+\n$/);
  t.regex(data.ssh_config!, /ForwardAgent yes/);
  t.notDeepEqual(a.stringData, b.stringData);
  t.deepEqual(a.metadata.ownerReferences?.map((ref) => [ref.kind, ref.uid, ref.controller]), [["Session", "u-1", true]]);
});
