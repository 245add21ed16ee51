package dev.hypha.ml.train;

import dev.hypha.ml.tensor.FloatMatMul;
import java.util.List;

/**
 * Next-token training of a LoRA adapter over a frozen {@link Decoder}: forward with the adapter's projection, mean
 * cross-entropy, backward (gradients reach only A and B: every base tensor is a constant), global-norm clipping of the
 * adapter's gradients, AdamW on A and B. Each step is a function of (base, adapter, optimizer state, step, batch), so
 * equal inputs give equal bits on every thread count, as {@link DecoderTraining}.
 */
public final class LoraTraining {
    private final Decoder base;
    private final LoraWeights adapter;
    private final Decoder.Projection projection;
    private final FloatMatMul gemm;
    private final int sequenceLength;
    private final RotaryEmbedding rope;
    private final List<Tensor> parameters;
    private final AdamW optimizer;
    private final float maxGradientNorm;
    private final Workspace workspace = new Workspace();

    /** AdamW with peft's Trainer defaults (β 0.9/0.999, ε 1e-8); {@code maxGradientNorm} 0 turns clipping off. */
    public LoraTraining(Decoder base, LoraWeights adapter, FloatMatMul gemm, int sequenceLength, float weightDecay, float maxGradientNorm) {
        for (Tensor t : base.parameters()) {
            if (t.tracksGradient()) {
                throw new IllegalArgumentException("the base of LoRA training must be frozen (constant tensors); see FrozenBase");
            }
        }
        this.base = base;
        this.adapter = adapter;
        this.projection = adapter.projection();
        this.gemm = gemm;
        this.sequenceLength = sequenceLength;
        this.rope = base.rope(sequenceLength);
        this.parameters = adapter.parameters();
        this.optimizer = new AdamW(parameters, 0.9f, 0.999f, 1e-8f, weightDecay);
        this.maxGradientNorm = maxGradientNorm;
    }

    public int sequenceLength() {
        return sequenceLength;
    }

    /**
     * One step on {@code windows}: sequences of {@code sequenceLength + 1} tokens end to end (input: all but the last
     * token of each; targets: all but the first).
     *
     * @return the batch's mean loss before the update
     */
    public float step(int[] windows, float learningRate, long step) {
        int[][] io = split(windows);
        workspace.reset();
        parameters.forEach(Tensor::zeroGrad);
        Tape tape = new Tape();
        Forward f = new Forward(gemm, tape, true, null, workspace);
        Tensor loss = Losses.crossEntropy(f, base.forward(f, io[0], rope, sequenceLength, projection), io[1]);
        tape.backward(loss);
        if (maxGradientNorm > 0) {
            GradientClipping.clip(parameters, maxGradientNorm);
        }
        optimizer.update(parameters, learningRate, step);
        return loss.data()[0];
    }

    /** Mean next-token loss over {@code windows} with the adapter as it is, updating nothing. */
    public float loss(int[] windows) {
        int[][] io = split(windows);
        Forward f = Forward.evaluation(gemm);
        return Losses.crossEntropy(f, base.forward(f, io[0], rope, sequenceLength, projection), io[1]).data()[0];
    }

    /** Mean next-token loss of the base alone (what the adapter starts from: its B is zero). */
    public float baseLoss(int[] windows) {
        int[][] io = split(windows);
        Forward f = Forward.evaluation(gemm);
        return Losses.crossEntropy(f, base.forward(f, io[0], rope, sequenceLength), io[1]).data()[0];
    }

    /** The AdamW moments, per adapter tensor (live: a checkpoint reads them, a resume writes them). */
    public List<float[]> optimizerState() {
        return optimizer.state();
    }

    public LoraWeights adapter() {
        return adapter;
    }

    private int[][] split(int[] windows) {
        int window = sequenceLength + 1;
        if (windows.length == 0 || windows.length % window != 0) {
            throw new IllegalArgumentException("a batch of windows of " + window + " tokens got " + windows.length + " tokens");
        }
        int sequences = windows.length / window;
        int[] inputs = new int[sequences * sequenceLength];
        int[] targets = new int[inputs.length];
        for (int s = 0; s < sequences; s++) {
            System.arraycopy(windows, s * window, inputs, s * sequenceLength, sequenceLength);
            System.arraycopy(windows, s * window + 1, targets, s * sequenceLength, sequenceLength);
        }
        return new int[][] {inputs, targets};
    }
}
