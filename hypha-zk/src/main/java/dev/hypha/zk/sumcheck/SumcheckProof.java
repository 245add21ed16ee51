package dev.hypha.zk.sumcheck;

import dev.hypha.zk.field.Ext2;
import java.util.List;

/**
 * The prover's messages: for each round i, the round polynomial h_i given by its values h_i(0), …, h_i(d) (d, the degree,
 * is the number of multiplied factors). Sending all d+1 values (rather than dropping h_i(1), which
 * the verifier could derive) keeps the check h_i(0) + h_i(1) = claim explicit.
 */
public record SumcheckProof(List<Ext2[]> rounds) {
    public SumcheckProof {
        rounds = rounds.stream().map(Ext2[]::clone).toList();
    }

    /** The round messages, copied. */
    @Override
    public List<Ext2[]> rounds() {
        return rounds.stream().map(Ext2[]::clone).toList();
    }
}
