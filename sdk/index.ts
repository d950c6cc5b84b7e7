// Data passing for step code, file for file as Orchest's Python SDK: output() in a step, getInputs() in the steps that depend on it.
export { output, getInputs, resolve, type TransferOptions, type InputOptions, type Inputs, type Resolved } from "./transfer.js";
export { formatHead, parseHead, isoSeconds, type Head, type Serialization } from "./head.js";
