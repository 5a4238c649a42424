// Runs an ONNX model in ONNX Runtime (onnxruntime-node, CPU) on a batch of images, for
// test_onnx.py: node run_onnx.mjs MODEL.onnx INPUT.f32 N D1 [D2 D3] OUTPUT.f32
// INPUT.f32 holds N x D1 [x D2 x D3] float32 values; OUTPUT.f32 gets the model's first output.
import { readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [model, input, ...rest] = process.argv.slice(2);
const output = rest.pop();
const dims = rest.map(Number);
const bytes = readFileSync(input);
const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 2 });
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
const results = await session.run(feeds);
const out = results[session.outputNames[0]];
writeFileSync(output, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
console.log(`${session.outputNames[0]}: ${out.dims.join(' x ')}`);
