#!/usr/bin/env node
// npm run images [-- --push HOST/PREFIX] [--out DIR] [--only NAME,...] [--plain-http]
import { parseArgs } from "node:util";
import { prefixedLog } from "../testbed/progress.js";
import { buildImages, imageTag, pushImages } from "./build.js";
import { IMAGES } from "./definitions.js";

const usage = `usage: npm run images -- [--push HOST/PREFIX] [--plain-http] [--out DIR] [--only NAME,...]
Builds the project's images as OCI image layouts (reproducible: the same inputs give the same digests), one folder
each under --out (default: the cache), and with --push pushes each to HOST/PREFIX/NAME:${imageTag()} with crane.
Images: ${IMAGES.map((image) => `\n  ${image.name}: ${image.description}`).join("")}`;

const log = prefixedLog("images");

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      push: { type: "string" },
      "plain-http": { type: "boolean", default: false },
      out: { type: "string" },
      only: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (values.push !== undefined && !/^[^/\s]+(\/[^/\s]+)*$/.test(values.push)) {
    throw new Error(`--push: "${values.push}" is not HOST/PREFIX. Fix: e.g. --push registry.example.com/orchest-gitops`);
  }
  const images = await buildImages({ outDir: values.out, only: values.only?.split(","), prefix: values.push, log });
  for (const image of images) process.stdout.write(`${image.name}\t${image.digest}\t${image.dir}\n`);
  if (values.push) {
    const pushed = await pushImages(images, values.push, { plainHttp: values["plain-http"], log });
    for (const reference of pushed.values()) process.stdout.write(`pushed ${reference}\n`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`images: ${error.message}\n`);
    process.exit(1);
  },
);
