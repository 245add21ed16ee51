package dev.hypha.ml.train;

import dev.hypha.ml.tensor.FloatMatMul;
import java.util.List;

/**
 * Training steps of a {@link Decoder} on next-token prediction: forward over a batch of equal-length sequences, mean
 * cross-entropy against each position's next token, backward, global-norm clipping, AdamW. Everything a step does is a
 * function of (weights, optimizer state, step, batch), so equal inputs give equal weights on every thread count.
 */
public final class DecoderTraining {
    private final Decoder decoder;
    private final FloatMatMul gemm;
    private final int sequenceLength;
    private final RotaryEmbedding rope;
    private final List<Tensor> parameters;
    private final AdamW optimizer;
    private final float maxGradientNorm;
    private final Workspace workspace = new Workspace();

    public DecoderTraining(Decoder decoder, FloatMatMul gemm, int sequenceLength, float weightDecay, float maxGradientNorm) {
        this(decoder, gemm, sequenceLength, weightDecay, maxGradientNorm, 0.9f, 0.95f, 1e-8f);
    }

    /** With AdamW's moment decays and epsilon given; {@code maxGradientNorm} 0 turns clipping off. */
    public DecoderTraining(Decoder decoder, FloatMatMul gemm, int sequenceLength, float weightDecay, float maxGradientNorm,
                           float beta1, float beta2, float epsilon) {
        this.decoder = decoder;
        this.gemm = gemm;
        this.sequenceLength = sequenceLength;
        this.rope = decoder.rope(sequenceLength);
        this.parameters = decoder.parameters();
        this.optimizer = new AdamW(parameters, beta1, beta2, epsilon, weightDecay);
        this.maxGradientNorm = maxGradientNorm;
    }

    /**
     * One step on {@code windows}: sequences of {@code sequenceLength + 1} tokens laid end to end; each sequence's first
     * {@code sequenceLength} tokens are the input and its last {@code sequenceLength} the targets.
     *
     * @return the batch's mean loss before the update
     */
    public float step(int[] windows, float learningRate, long step) {
        int[][] io = split(windows);
        int[] inputs = io[0];
        int[] targets = io[1];
        workspace.reset();
        parameters.forEach(Tensor::zeroGrad);
        Tape tape = new Tape();
        Forward f = new Forward(gemm, tape, true, null, workspace);
        Tensor loss = Losses.crossEntropy(f, decoder.forward(f, inputs, rope, sequenceLength), targets);
        tape.backward(loss);
        if (maxGradientNorm > 0) {
            GradientClipping.clip(parameters, maxGradientNorm);
        }
        optimizer.update(parameters, learningRate, step);
        return loss.data()[0];
    }

    /** The optimizer's state arrays (live: a checkpoint reads them, a resume writes them). */
    public List<float[]> optimizerState() {
        return optimizer.state();
    }

    /** Mean next-token loss over {@code windows} without updating anything. */
    public float loss(int[] windows) {
        int[][] io = split(windows);
        int[] inputs = io[0];
        int[] targets = io[1];
        Forward f = Forward.evaluation(gemm);
        return Losses.crossEntropy(f, decoder.forward(f, inputs, rope, sequenceLength), targets).data()[0];
    }

    /** Inputs (each window but its last token) and targets (each window but its first), sequences end to end. */
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
