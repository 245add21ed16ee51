package dev.hypha.node.compute;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hypha.core.cid.ContentId;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Where a model bought on the compute market came from, stored beside it in the tenant's content store (a JSON blob
 * under reference {@code lineage/<model id>}): the spec, dataset and base model it was trained from, and the lease
 * that paid for it.
 *
 * @param baseModel the base model's content id for a fine-tuning job; empty for training from scratch
 */
public record Lineage(ContentId model, ContentId spec, ContentId dataset, Optional<ContentId> baseModel, long chainId,
                      String market, BigInteger orderId, String provider) {
    /** Reference kind lineage records are kept under (named by the model's content id). */
    public static final String REF_KIND = "lineage";

    /** One canonical JSON form (fixed key order). */
    public byte[] encode() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        n.put("format", "hypha-lineage-1");
        n.put("model", model.toString());
        n.put("spec", spec.toString());
        n.put("dataset", dataset.toString());
        if (baseModel.isPresent()) {
            n.put("baseModel", baseModel.get().toString());
        } else {
            n.putNull("baseModel");
        }
        n.put("chainId", chainId);
        n.put("market", market);
        n.put("order", orderId.toString());
        n.put("provider", provider);
        try {
            return json.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always encodes", e);
        }
    }
}
