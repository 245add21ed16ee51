package dev.hypha.node.subnet;

import java.util.List;
import java.util.Map;

/** How a validator rates the subnet's miners before it sets weights: a u16 score (1..65535; 0 = no weight) per UID. */
public interface MinerScorer {
    /** A UID of the subnet as the registry lists it. */
    record Member(int uid, String account) {}

    /** Scores for some of {@code members} (the validator's own UID is never among them). */
    Map<Integer, Integer> score(List<Member> members);
}
