import test from "ava";
import { AddressPolicy } from "./address-policy.js";

test("refuses private, loopback, link-local and other non-public addresses by default", (t) => {
  const policy = new AddressPolicy();
  for (const address of ["10.1.2.3", "172.20.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "224.0.0.1"]) {
    t.truthy(policy.refusal(address), address);
  }
  t.regex(policy.refusal("169.254.169.254")!, /link-local range \(169\.254\.0\.0\/16\)/);
});

test("lets public addresses through", (t) => {
  const policy = new AddressPolicy();
  for (const address of ["8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) t.is(policy.refusal(address), undefined, address);
});

test("allows exactly the ranges configuration names", (t) => {
  const policy = new AddressPolicy(["127.0.0.0/8", "10.1.0.0/16"]);
  t.is(policy.refusal("127.0.0.1"), undefined);
  t.is(policy.refusal("10.1.200.3"), undefined);
  t.truthy(policy.refusal("10.2.0.1"));
  t.truthy(policy.refusal("::1"), "IPv6 loopback is its own range");
  t.throws(() => new AddressPolicy(["intranet"]), { message: /not a CIDR range/ });
});

test("refuses private addresses in their IPv6 forms: NAT64 (64:ff9b::/96), IPv4-mapped and IPv4-compatible (::/96), in any notation", (t) => {
  const policy = new AddressPolicy();
  for (const address of ["64:ff9b::a00:1", "64:ff9b::10.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "::ffff:a00:1", "::ffff:7f00:1", "::a00:1", "::10.0.0.1", "::127.0.0.1", "::a9fe:a9fe", "0:0:0:0:0:ffff:c0a8:101", "64:ff9b:1::808:808"]) {
    t.truthy(policy.refusal(address), address);
  }
  t.regex(policy.refusal("64:ff9b::a9fe:a9fe")!, /169\.254\.169\.254.*link-local range \(169\.254\.0\.0\/16\)/);
  for (const address of ["64:ff9b::808:808", "::ffff:808:808", "::808:808"]) t.is(policy.refusal(address), undefined, address);
  const allowing = new AddressPolicy(["10.1.0.0/16"]);
  for (const address of ["64:ff9b::10.1.0.5", "::ffff:10.1.0.5", "::10.1.0.5"]) t.is(allowing.refusal(address), undefined, `an allowed IPv4 range covers ${address}`);
  t.truthy(allowing.refusal("64:ff9b::10.2.0.5"));
});
