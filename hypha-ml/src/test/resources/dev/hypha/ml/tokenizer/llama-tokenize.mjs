// Tokenizes texts with llama.cpp (node-llama-cpp) for LlamaCppTokenizerAgreementTest.
// Usage: node llama-tokenize.mjs <node-llama-cpp index.js> <input.json> <output.json>
// input: {"models": {"name": "path.gguf", ...}, "texts": ["...", ...]}
// output: {"name": [[ids of text 0, parseSpecial=false], [ids of text 0, parseSpecial=true], ...], ...}
import fs from "fs";
const [indexJs, inputPath, outputPath] = process.argv.slice(2);
const {getLlama} = await import(indexJs);
const input = JSON.parse(fs.readFileSync(inputPath, "utf8"));
const llama = await getLlama({gpu: false, logLevel: "error"});
const out = {};
for (const [name, path] of Object.entries(input.models)) {
  const model = await llama.loadModel({modelPath: path, vocabOnly: true});
  out[name] = [];
  for (const t of input.texts) {
    out[name].push(Array.from(model.tokenize(t, false)));
    out[name].push(Array.from(model.tokenize(t, true)));
  }
  await model.dispose();
}
fs.writeFileSync(outputPath, JSON.stringify(out));
