package dev.hypha.node.gateway.pull;

import dev.hypha.core.cid.ContentId;
import dev.hypha.core.cid.Multihash;
import dev.hypha.core.crypto.Hex;
import dev.hypha.core.crypto.Address;
import dev.hypha.ml.store.ModelName;
import dev.hypha.node.offers.Offer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What a pull fetches: the name it is stored under, the content it names (offers carry the sha2-256 digest of the
 * content id, not the id itself) and the providers that offer it.
 *
 * <p>Resolution (decision): a content id picks the offers of that content, and the model is stored under the name
 * most of them give it. A name picks the live offers of that name; when providers disagree on its content, the content
 * offered by the most providers wins (ties: the smaller digest), and only its providers are used: the file is then
 * checked against that content id, so a minority that offers other bytes under the name cannot slip them in.
 *
 * @param name      the name the model is stored under
 * @param digest    the content id's sha2-256 digest, 0x + 64 hex
 * @param providers one live offer per provider, in the order offered
 */
public record PullTarget(ModelName name, String digest, List<Offer> providers) {
    public PullTarget {
        providers = List.copyOf(providers);
    }

    /**
     * The content ids the digest can stand for, most likely first: a file of more than one chunk (every real model)
     * is a dag-pb root, a file of one chunk a raw leaf.
     */
    public List<ContentId> candidateRoots() {
        Multihash hash = new Multihash(Multihash.SHA2_256, Hex.decode(digest));
        return List.of(new ContentId(ContentId.DAG_PB, hash), new ContentId(ContentId.RAW, hash));
    }

    /**
     * Resolves what the user asked for against the network's offers.
     *
     * @param usable whether the gateway may reach an offer's endpoint (TLS bound to its key, or plain HTTP on loopback)
     * @throws PullException 400 for text that is neither a model name nor a content id, 404 when no usable live offer
     *                       names it
     */
    public static PullTarget resolve(String model, List<Offer> offers, Instant now, Predicate<Offer> usable) {
        Optional<ContentId> cid = contentId(model);
        List<Offer> live = offers.stream().filter(o -> o.liveAt(now) && usable.test(o)).toList();
        if (cid.isPresent()) {
            String digest = Hex.encode(cid.get().multihash().digest());
            List<Offer> matching = live.stream().filter(o -> o.modelId().equals(digest)).toList();
            if (matching.isEmpty()) {
                throw PullException.notFound("no provider offers content " + model + " on the network (no live offer "
                        + "carries its digest " + digest + "; `hypha offers` lists what is offered)");
            }
            List<Offer> named = matching.stream().filter(o -> nameOf(o).isPresent()).toList();
            if (named.isEmpty()) {
                throw PullException.badPeers("the offers of content " + model + " give it no valid model name");
            }
            ModelName name = ModelName.parse(mostOffered(named, o -> nameOf(o).orElseThrow().toString()));
            return new PullTarget(name, digest, onePerProvider(matching));
        }
        ModelName name;
        try {
            name = ModelName.parse(model);
        } catch (RuntimeException e) {
            throw PullException.badRequest("invalid model name '" + model + "': " + e.getMessage());
        }
        List<Offer> named = live.stream().filter(o -> sameName(o, name)).toList();
        if (named.isEmpty()) {
            throw PullException.notFound("model '" + name + "' is not offered on the network: no live offer names it"
                    + " (`hypha offers` lists what is offered)");
        }
        String digest = mostOffered(named, Offer::modelId);
        return new PullTarget(name, digest, onePerProvider(named.stream().filter(o -> o.modelId().equals(digest)).toList()));
    }

    private static Optional<ContentId> contentId(String text) {
        if (!text.startsWith("baf")) {
            return Optional.empty(); // base32 CIDv1 of raw or dag-pb content: bafk..., bafy...
        }
        try {
            ContentId cid = ContentId.parse(text);
            if (cid.multihash().code() != Multihash.SHA2_256) {
                throw PullException.badRequest("content id " + text + " is not a sha2-256 id; offers name models by sha2-256");
            }
            return Optional.of(cid);
        } catch (PullException e) {
            throw e;
        } catch (RuntimeException notACid) {
            return Optional.empty();
        }
    }

    private static boolean sameName(Offer offer, ModelName wanted) {
        return nameOf(offer).filter(wanted::equals).isPresent();
    }

    private static Optional<ModelName> nameOf(Offer offer) {
        try {
            return Optional.of(ModelName.parse(offer.model()));
        } catch (RuntimeException notAName) {
            return Optional.empty();
        }
    }

    /** The value most offers share (by distinct provider), ties broken by the smallest value, so every gateway agrees. */
    private static String mostOffered(List<Offer> offers, java.util.function.Function<Offer, String> key) {
        Map<String, java.util.Set<Address>> providers = new TreeMap<>();
        for (Offer o : offers) {
            providers.computeIfAbsent(key.apply(o), k -> new java.util.HashSet<>()).add(o.provider());
        }
        String best = null;
        int most = 0;
        for (Map.Entry<String, java.util.Set<Address>> e : providers.entrySet()) {
            if (e.getValue().size() > most) {
                best = e.getKey();
                most = e.getValue().size();
            }
        }
        return best;
    }

    private static List<Offer> onePerProvider(List<Offer> offers) {
        Map<Address, Offer> first = new LinkedHashMap<>();
        for (Offer o : offers) first.putIfAbsent(o.provider(), o);
        return new ArrayList<>(first.values());
    }
}
