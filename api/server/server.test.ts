import test from "ava";
import { RateLimiter } from "./rate-limit.js";
import { Router } from "./router.js";
import { ApiServer, replyJson } from "./server.js";

test("routes match by method and pattern, with :name segments decoded", (t) => {
  const router = new Router();
  const logs = () => {};
  router.add("GET", "/builds/:name/logs", logs);
  t.like(router.match("GET", "/builds/env%2Dbuild-1/logs"), { handler: logs, params: { name: "env-build-1" } });
  t.like(router.match("POST", "/builds/b/logs"), { status: 405, allow: ["GET"] });
  t.like(router.match("GET", "/builds/b"), { status: 404 });
});

test("a route group registered from another module is served, and a throwing handler answers 500", async (t) => {
  const server = new ApiServer();
  server.route("GET", "/builds/:name/logs", (_req, res, params) => replyJson(res, 200, params));
  server.route("GET", "/boom", () => {
    throw new Error("kaput");
  });
  const { port } = await server.listen("127.0.0.1", 0);
  t.teardown(() => server.close());
  const logs = await fetch(`http://127.0.0.1:${port}/builds/b1/logs`);
  t.deepEqual(await logs.json(), { name: "b1" });
  const boom = await fetch(`http://127.0.0.1:${port}/boom`);
  t.is(boom.status, 500);
  t.deepEqual(await boom.json(), { error: "kaput" });
});

test("the rate limiter allows a burst, then one request per refill interval, per client", (t) => {
  let now = 0;
  const limiter = new RateLimiter(2, 3, () => now);
  t.deepEqual([1, 2, 3].map(() => limiter.take("a")), [0, 0, 0]);
  t.is(limiter.take("a"), 500);
  t.is(limiter.take("b"), 0, "another client has its own bucket");
  now = 500;
  t.is(limiter.take("a"), 0);
});
