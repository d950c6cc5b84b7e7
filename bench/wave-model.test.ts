import test from "ava";
import { starSpread, waveSpread } from "./wave-model.js";

const MiB = 1 << 20;
const costs = { imageBytes: 50 * MiB, overheadSeconds: 1, registryBytesPerSecond: 20 * MiB, peerBytesPerSecond: 50 * MiB };

test("3 nodes spread in one round: the seed feeds one puller, the registry the other", (t) => {
  const spread = waveSpread(3, costs);
  t.is(spread.registryCopies, 1);
  t.is(spread.seconds, 1 + 50 / 20);
});

test("pulls fed by one source at once share its bandwidth", (t) => {
  // Fanout 2: the seed and the registry feed two pulls each, at half their rate.
  const spread = waveSpread(5, { ...costs, peerBytesPerSecond: 20 * MiB }, 2);
  t.is(spread.registryCopies, 2);
  t.is(spread.seconds, 1 + (2 * 50) / 20);
  t.is(starSpread(5, costs).seconds, 1 + (4 * 50) / 20);
});

test("with peers faster than the registry, pulls that end early feed the next ones and the registry serves a few copies", (t) => {
  // Peers move the image in 1 s, the registry in 2.5 s: pulls do not end together.
  const n = 100;
  const spread = waveSpread(n, costs);
  t.true(spread.registryCopies <= Math.ceil(Math.log2(n)), `${spread.registryCopies} copies from the registry`);
  // No slower than rounds that each wait for a pull from the registry.
  t.true(spread.seconds <= Math.ceil(Math.log2(n)) * (1 + 50 / 20), `${spread.seconds} s`);
});
