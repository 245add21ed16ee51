// Drives llama.cpp (through node-llama-cpp 3.21.1, CPU build, never downloads or builds anything) for Hypha's
// agreement tests and benchmarks.
//
// Protocol: one JSON request per line on stdin, one JSON answer per line on stdout (nothing else is ever written to
// stdout; llama.cpp's own logs go to stderr). Every answer has "ok": true, or "ok": false and "error".
//
//   {"cmd":"load","model":PATH,"threads":2,"contextSize":512,"batchSize":512,"kvCacheType":"F16","flashAttention":false}
//       kvCacheType: ggml type name of the KV cache (llama.cpp's default is F16; "F32" makes attention exact enough to
//       compare the weight kernels). Flash attention is off unless asked for, so attention follows the plain path.
//       Optional "lora": PATH of a GGUF LoRA adapter applied to the context with scale 1.
//       -> {"ok":true,"vocabSize":N,"bos":ID|null,"eos":ID|null,"addBos":BOOL,"architecture":STR,"llamaCpp":TAG}
//   {"cmd":"tokenize","texts":[STR...],"special":BOOL}      (llama.cpp never adds BOS/EOS here)
//       -> {"ok":true,"tokens":[[ID...]...]}
//   {"cmd":"detokenize","tokens":[[ID...]...],"special":BOOL}
//       -> {"ok":true,"texts":[STR...]}
//   {"cmd":"greedy","prompt":[ID...],"maxTokens":32,"top":20}
//       -> {"ok":true,"tokens":[ID...],"steps":[[[ID,LOGIT_MINUS_MAX]...top entries]...]}
//          One step per generated token, taken from the logits the token was chosen from; the values are
//          ln p(id) - ln p(best), which equals logit(id) - max logit (independent of the softmax normalisation).
//   {"cmd":"bench","prompt":[ID...],"generate":N}
//       -> {"ok":true,"promptTokens":N,"promptMs":F,"generated":N,"generateMs":F}
//          Prompt processing is timed alone (no token sampled); generation is timed from the first sampled token to
//          the N-th, greedy, so both engines do the same work.
//   {"cmd":"embed","model":PATH,"inputs":[[ID...]...],"texts":[STR...],"threads":2}
//       Loads an embedding model (bert, nomic-bert) on its own embedding context (the model's pooling), embeds each
//       token list as given (node-llama-cpp adds [CLS]/[SEP] only when missing) and tokenizes each text without special
//       tokens; the model is unloaded afterwards, so it does not disturb a model loaded with "load".
//       -> {"ok":true,"vectors":[[F...]...],"tokens":[[ID...]...],"architecture":STR}
//   {"cmd":"quit"} -> {"ok":true} and the process exits.

import readline from "node:readline";
import {performance} from "node:perf_hooks";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const llama = await getLlama({
    gpu: false,
    build: "never",
    usePrebuiltBinaries: true,
    skipDownload: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.error,
    logger: (level, message) => process.stderr.write(`[llama.cpp ${level}] ${message}\n`)
});

let model = null;
let context = null;
let sequence = null;

async function unload() {
    if (context != null) await context.dispose();
    if (model != null) await model.dispose();
    context = null;
    model = null;
    sequence = null;
}

function requireLoaded() {
    if (sequence == null) throw new Error("no model loaded: send {\"cmd\":\"load\",\"model\":PATH} first");
}

function requireTokens(value, what) {
    if (!Array.isArray(value) || !value.every(t => Number.isInteger(t) && t >= 0))
        throw new Error(`${what} must be an array of token ids (non-negative integers)`);
    return value;
}

const commands = {
    async load(req) {
        await unload();
        if (typeof req.model !== "string") throw new Error("load needs \"model\": the path of a GGUF file");
        const threads = req.threads ?? 2;
        model = await llama.loadModel({modelPath: req.model, gpuLayers: 0, useMmap: true});
        context = await model.createContext({
            contextSize: req.contextSize ?? 512,
            batchSize: req.batchSize ?? 512,
            threads: {ideal: threads, min: threads},
            sequences: 1,
            flashAttention: req.flashAttention === true,
            experimentalKvCacheKeyType: req.kvCacheType ?? "F16",
            experimentalKvCacheValueType: req.kvCacheType ?? "F16",
            ...(typeof req.lora === "string" ? {lora: {adapters: [{filePath: req.lora, scale: 1}]}} : {})
        });
        sequence = context.getSequence();
        return {
            vocabSize: model.tokens.vocabSize ?? null,
            bos: model.tokens.bos ?? null,
            eos: model.tokens.eos ?? null,
            addBos: model.tokens.shouldPrependBosToken,
            architecture: model.fileInfo.metadata.general.architecture,
            trainContextSize: model.trainContextSize,
            kvCacheType: [context.kvCacheKeyType ?? null, context.kvCacheValueType ?? null]
        };
    },

    async tokenize(req) {
        requireLoaded();
        if (!Array.isArray(req.texts) || !req.texts.every(t => typeof t === "string"))
            throw new Error("tokenize needs \"texts\": an array of strings");
        return {tokens: req.texts.map(text => model.tokenize(text, req.special === true))};
    },

    async detokenize(req) {
        requireLoaded();
        if (!Array.isArray(req.tokens)) throw new Error("detokenize needs \"tokens\": an array of token arrays");
        return {texts: req.tokens.map((t, i) => model.detokenize(requireTokens(t, `tokens[${i}]`), req.special === true))};
    },

    async greedy(req) {
        requireLoaded();
        const prompt = requireTokens(req.prompt, "prompt");
        const maxTokens = req.maxTokens ?? 32;
        const top = req.top ?? 20;
        await sequence.clearHistory();
        const tokens = [];
        const steps = [];
        // Greedy sampling only: node-llama-cpp then puts nothing but llama.cpp's greedy sampler in the chain, so the
        // probabilities are a softmax over the raw logits of the whole vocabulary.
        const generator = sequence.evaluateWithMetadata(prompt, {probabilities: true}, {temperature: 0, yieldEogToken: true});
        for await (const output of generator) {
            tokens.push(output.token);
            const entries = [...output.probabilities.entries()].slice(0, top);
            const best = Math.log(entries[0][1]);
            steps.push(entries.map(([id, p]) => [id, p > 0 ? Math.log(p) - best : null]));
            if (tokens.length >= maxTokens || model.isEogToken(output.token)) break;
        }
        await generator.return();
        return {tokens, steps};
    },

    async bench(req) {
        requireLoaded();
        const prompt = requireTokens(req.prompt, "prompt");
        const generate = req.generate ?? 32;
        if (prompt.length < 1) throw new Error("bench needs a non-empty prompt");
        await sequence.clearHistory();
        // All prompt tokens but the last are processed without sampling; the last one is fed with the generation so
        // that the first generated token's logits come from it (as in llama.cpp's own llama-bench "pp" + "tg").
        const startPrompt = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
        const promptMs = performance.now() - startPrompt;
        let generated = 0;
        const startGen = performance.now();
        const generator = sequence.evaluate(prompt.slice(-1), {temperature: 0, yieldEogToken: true});
        for await (const _token of generator) {
            generated++;
            if (generated >= generate) break;
        }
        await generator.return();
        const generateMs = performance.now() - startGen;
        return {promptTokens: prompt.length - 1, promptMs, generated, generateMs};
    },

    // Aggregate generation speed of `streams` sequences decoding at once in one context (llama.cpp batches their
    // tokens into one decode per step, as llama-server does with --parallel): each sequence gets the same prompt, all
    // prompts are processed first, then the generation of `generate` tokens per sequence is timed.
    async parallel(req) {
        if (typeof req.model !== "string") throw new Error("parallel needs \"model\": the path of a GGUF file");
        const prompt = requireTokens(req.prompt, "prompt");
        if (prompt.length < 2) throw new Error("parallel needs a prompt of at least 2 tokens");
        const streams = req.streams ?? 1;
        const generate = req.generate ?? 32;
        const threads = req.threads ?? 2;
        if (!Number.isInteger(streams) || streams < 1 || streams > 64) throw new Error("streams must be 1 to 64");
        await unload();
        model = await llama.loadModel({modelPath: req.model, gpuLayers: 0, useMmap: true});
        const ctx = await model.createContext({
            contextSize: prompt.length + generate + 16, // per sequence
            batchSize: 512,
            threads: {ideal: threads, min: threads},
            sequences: streams,
            experimentalKvCacheKeyType: "F16",
            experimentalKvCacheValueType: "F16"
        });
        try {
            const sequences = Array.from({length: streams}, () => ctx.getSequence());
            await Promise.all(sequences.map(s => s.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1))));
            const start = performance.now();
            const counts = await Promise.all(sequences.map(async s => {
                let n = 0;
                const g = s.evaluate(prompt.slice(-1), {temperature: 0, yieldEogToken: true});
                for await (const _token of g) {
                    n++;
                    if (n >= generate) break;
                }
                await g.return();
                return n;
            }));
            const generateMs = performance.now() - start;
            return {generated: counts.reduce((a, b) => a + b, 0), generateMs};
        } finally {
            await ctx.dispose();
            await model.dispose();
            model = null;
        }
    },

    async embed(req) {
        if (typeof req.model !== "string") throw new Error("embed needs \"model\": the path of a GGUF file");
        const threads = req.threads ?? 2;
        const inputs = (req.inputs ?? []).map((t, i) => requireTokens(t, `inputs[${i}]`));
        const texts = req.texts ?? [];
        const embedModel = await llama.loadModel({modelPath: req.model, gpuLayers: 0, useMmap: true});
        try {
            const tokens = texts.map(text => embedModel.tokenize(text, false));
            const vectors = [];
            if (inputs.length > 0) {
                const ctx = await embedModel.createEmbeddingContext({
                    contextSize: req.contextSize ?? embedModel.trainContextSize,
                    threads
                });
                try {
                    for (const input of inputs) vectors.push([...(await ctx.getEmbeddingFor([...input])).vector]);
                } finally {
                    await ctx.dispose();
                }
            }
            return {vectors, tokens, architecture: embedModel.fileInfo.metadata.general.architecture};
        } finally {
            await embedModel.dispose();
        }
    },

    async quit() {
        await unload();
        return {};
    }
};

const input = readline.createInterface({input: process.stdin, terminal: false});
for await (const line of input) {
    if (line.trim() === "") continue;
    let answer;
    let quit = false;
    try {
        const req = JSON.parse(line);
        const command = commands[req.cmd];
        if (command == null) throw new Error(`unknown cmd ${JSON.stringify(req.cmd)}; known: ${Object.keys(commands).join(", ")}`);
        answer = {ok: true, ...(await command(req))};
        quit = req.cmd === "quit";
    } catch (e) {
        answer = {ok: false, error: String(e?.message ?? e)};
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
    if (quit) break;
}
await unload();
await llama.dispose();
process.exit(0);
