// Data passing for step code: output() in a step, getInputs() in the steps that depend on it (JSON, bytes, Arrow tables).
export { output, getInputs, type TransferOptions, type InputOptions } from "./transfer.js";
export { formatHead, parseHead, isoSeconds, type Head, type Serialization } from "./head.js";
