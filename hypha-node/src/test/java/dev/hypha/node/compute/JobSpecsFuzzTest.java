package dev.hypha.node.compute;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hypha.core.errors.HyphaException;

/**
 * Jazzer target for what a tenant controls on a provider: the job spec's bytes. Any input is read into a job within the
 * limits or refused with a {@link HyphaException} that says why; anything else (another exception, a job over the
 * limits) is a bug. In the normal suite it runs over the saved inputs in
 * {@code src/test/resources/dev/hypha/node/compute/JobSpecsFuzzTestInputs/spec}; to fuzz for real:
 * <pre>JAZZER_FUZZ=1 scripts/test-slow.sh -pl hypha-node -Dgroups=fuzz -Dtest='JobSpecsFuzzTest#spec' -Djazzer.max_duration=10m</pre>
 */
@org.junit.jupiter.api.Tag("fuzz")
class JobSpecsFuzzTest {
    private static final JobLimits LIMITS = new JobLimits(4096, 1000, 8, 64, 100_000, 1 << 20, 1 << 20);

    @FuzzTest(maxDuration = "10s")
    void spec(byte[] bytes) {
        try {
            Job job = JobSpecs.read("fuzz", bytes, LIMITS);
            if (job.steps() < 1 || job.steps() > LIMITS.maxSteps()) {
                throw new AssertionError("accepted " + job.steps() + " steps");
            }
            if (job instanceof Job.Train t && JobSpecs.parameters(t.spec()) > LIMITS.maxParameters()) {
                throw new AssertionError("accepted " + JobSpecs.parameters(t.spec()) + " parameters");
            }
        } catch (HyphaException refused) {
            if (refused.getMessage() == null || refused.getMessage().isBlank()) {
                throw new AssertionError("refusal without a message", refused);
            }
        }
    }
}
