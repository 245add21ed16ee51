package dev.hypha.node.compute;

import dev.hypha.ml.train.run.TrainSpec;

/** A checked job spec: a classifier trained from scratch, or a LoRA fine-tune of a base model. */
public sealed interface Job {
    /** The spec's name (the model's name in the tenant's store). */
    String name();

    /** Optimizer steps. */
    long steps();

    /** {@code hypha train}'s classifier spec. */
    record Train(TrainSpec spec) implements Job {
        @Override
        public String name() {
            return spec.name();
        }

        @Override
        public long steps() {
            return spec.steps();
        }
    }

    /** {@code hypha finetune} as data. */
    record Finetune(FinetuneSpec spec) implements Job {
        @Override
        public String name() {
            return spec.name();
        }

        @Override
        public long steps() {
            return spec.options().steps();
        }
    }
}
