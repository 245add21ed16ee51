// Runs an ONNX model in onnxruntime-node (the npm package pinned in package.json, CPU execution provider):
//   node onnx-run.mjs MODEL.onnx INPUT.f32 OUTPUT.f32 DIM0 DIM1 ...
// INPUT.f32 holds little-endian float32 values of the input tensor [DIM0, DIM1, ...]; the first output's values are
// written to OUTPUT.f32 the same way, and its dims are printed on stdout (one line, space-separated).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.HYPHA_REPO_ROOT ? process.env.HYPHA_REPO_ROOT + '/package.json' : import.meta.url);
const ort = require('onnxruntime-node');

const [model, input, output, ...dims] = process.argv.slice(2);
const bytes = readFileSync(input);
const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims.map(Number)) };
const results = await session.run(feeds);
const out = results[session.outputNames[0]];
writeFileSync(output, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
console.log(out.dims.join(' '));
