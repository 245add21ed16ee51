package dev.hypha.chain.deploy;

import static dev.hypha.chain.deploy.ContractCalls.read;

import dev.hypha.chain.ChainErrors;
import dev.hypha.chain.assets.AssetKind;
import dev.hypha.chain.assets.AssetRecord;
import dev.hypha.chain.assets.AssetStatus;
import dev.hypha.chain.assets.Licence;
import dev.hypha.chain.assets.LineageEdge;
import dev.hypha.chain.assets.LineageNode;
import dev.hypha.chain.assets.Terms;
import dev.hypha.chain.contracts.AssetRegistry;
import dev.hypha.core.crypto.Address;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * AssetRegistry (datasets and models as ERC-721 assets): register assets and new versions with their licence and
 * lineage, change the licence, deprecate and revoke; read an asset's record, parents, licence and status. Data types are
 * {@code dev.hypha.chain.assets}'s, checked in Java with the contract's rules before any gas is spent.
 */
public final class AssetRegistryClient {
    /** The contract's name in deployments, ABIs and decoded errors. */
    public static final String NAME = "AssetRegistry";
    /** Most parents one asset may name (the contract's MAX_PARENTS). */
    public static final int MAX_PARENTS = 8;
    /** Longest content id in bytes (the contract's MAX_CID_BYTES). */
    public static final int MAX_CID_BYTES = 64;

    private final ContractCalls calls;
    private final AssetRegistry binding;

    AssetRegistryClient(ContractCalls calls) {
        this.calls = calls;
        this.binding = calls.binding(NAME, AssetRegistry::load);
    }

    /** The contract's address. */
    public Address address() {
        return Address.parse(calls.deployment().address(NAME));
    }

    /**
     * Registers an asset owned by this account.
     *
     * @param contentId  the binary content id (CIDv1 bytes, as {@code hypha cid} computes)
     * @param metadataId the binary content id of its model card or datasheet, or empty for none
     * @return the new asset's id
     */
    public long register(AssetKind kind, byte[] contentId, byte[] metadataId, Licence licence, List<LineageEdge> parents) {
        AssetRegistry.Declaration declared = declaration(contentId, metadataId, licence, parents);
        TransactionReceipt receipt = calls.write(NAME, "register",
                binding.register(BigInteger.valueOf(kind.ordinal()), declared));
        return registeredId(receipt, "register");
    }

    /** Publishes a new version of {@code previousId} (this account must own it); returns the new version's id. */
    public long publishVersion(long previousId, byte[] contentId, byte[] metadataId, Licence licence,
                               List<LineageEdge> parents) {
        AssetRegistry.Declaration declared = declaration(contentId, metadataId, licence, parents);
        TransactionReceipt receipt = calls.write(NAME, "publishVersion",
                binding.publishVersion(BigInteger.valueOf(previousId), declared));
        return registeredId(receipt, "publishVersion");
    }

    /** Replaces the licence of an asset this account owns. */
    public TransactionReceipt setLicence(long assetId, Licence licence) {
        return calls.write(NAME, "setLicence", binding.setLicence(BigInteger.valueOf(assetId), struct(licence)));
    }

    /** Marks an asset this account owns deprecated, saying why. */
    public TransactionReceipt deprecate(long assetId, String reason) {
        return calls.write(NAME, "deprecate", binding.deprecate(BigInteger.valueOf(assetId), reason));
    }

    /** Revokes an asset this account owns, for good, saying why. */
    public TransactionReceipt revoke(long assetId, String reason) {
        return calls.write(NAME, "revoke", binding.revoke(BigInteger.valueOf(assetId), reason));
    }

    /** Gives an asset this account owns to {@code to} (an ERC-721 transfer: licence, lineage and royalties go along). */
    public TransactionReceipt transfer(long assetId, Address to) {
        return calls.write(NAME, "transferFrom",
                binding.transferFrom(calls.account(), to.lowercaseHex(), BigInteger.valueOf(assetId)));
    }

    /** Whether an asset with this id was registered. */
    public boolean exists(long assetId) {
        return read(NAME + ".exists", () -> binding.exists(BigInteger.valueOf(assetId)).send());
    }

    /** The id the next registered asset gets (so assets 1 until it exist). */
    public long nextAssetId() {
        return read(NAME + ".nextAssetId", () -> binding.nextAssetId().send()).longValueExact();
    }

    /** An asset's record with its current owner (a decoded UnknownAsset error for an id never registered). */
    public AssetRecord asset(long assetId) {
        BigInteger id = BigInteger.valueOf(assetId);
        AssetRegistry.Asset a = read(NAME + ".assetOf", () -> binding.assetOf(id).send());
        String owner = read(NAME + ".ownerOf", () -> binding.ownerOf(id).send());
        return new AssetRecord(assetId, Address.parse(owner), AssetKind.of(a.kind.intValueExact()),
                AssetStatus.of(a.status.intValueExact()), a.previousVersion.longValueExact(),
                a.nextVersion.longValueExact(), a.registeredAt.longValueExact(), a.contentId, a.metadataId,
                licence(a.licence), edges(a.parents));
    }

    /** Most assets {@link #lineage} reads in one walk (each costs two RPC calls). */
    public static final int MAX_LINEAGE_NODES = 256;

    /**
     * The lineage of {@code assetId} as a tree, down to {@code maxDepth} generations of ancestors. Each asset is read
     * once; an ancestor reached again by another path is listed as {@link LineageNode#repeated()} without its parents,
     * and the walk stops after {@link #MAX_LINEAGE_NODES} assets, so a hostile registry cannot make it unbounded.
     */
    public LineageNode lineage(long assetId, int maxDepth) {
        if (maxDepth < 0) {
            throw ChainErrors.input("lineage depth must be 0 or more, got " + maxDepth);
        }
        return walk(assetId, 0, 0, maxDepth, new HashMap<>(), new HashSet<>());
    }

    private LineageNode walk(long id, int shareBps, int depth, int maxDepth, Map<Long, AssetRecord> read,
                             Set<Long> expanded) {
        AssetRecord record = read.get(id);
        if (record == null) {
            record = asset(id);
            read.put(id, record);
        }
        if (record.parents().isEmpty()) {
            return new LineageNode(record, shareBps, List.of(), false, false);
        }
        if (!expanded.add(id)) {
            return new LineageNode(record, shareBps, List.of(), true, false);
        }
        if (depth >= maxDepth || read.size() + record.parents().size() > MAX_LINEAGE_NODES) {
            return new LineageNode(record, shareBps, List.of(), false, true);
        }
        List<LineageNode> parents = new ArrayList<>();
        for (LineageEdge edge : record.parents()) {
            // parents always have smaller ids than their child (the registry refuses anything else), so this ends
            parents.add(walk(edge.parentId(), edge.shareBps(), depth + 1, maxDepth, read, expanded));
        }
        return new LineageNode(record, shareBps, parents, false, false);
    }

    /** An asset's lineage edges. */
    @SuppressWarnings("unchecked")
    public List<LineageEdge> parents(long assetId) {
        List<AssetRegistry.Parent> parents = read(NAME + ".parentsOf",
                () -> (List<AssetRegistry.Parent>) binding.parentsOf(BigInteger.valueOf(assetId)).send());
        return edges(parents);
    }

    /** An asset's licence. */
    public Licence licence(long assetId) {
        return licence(read(NAME + ".licenceOf", () -> binding.licenceOf(BigInteger.valueOf(assetId)).send()));
    }

    /** An asset's status. */
    public AssetStatus status(long assetId) {
        return AssetStatus.of(read(NAME + ".statusOf", () -> binding.statusOf(BigInteger.valueOf(assetId)).send())
                .intValueExact());
    }

    /**
     * The asset {@code registrant} registered with this binary content id, or 0 when it registered none. The registry
     * keeps one such claim per (content id, registrant) and never changes it, so whoever else registered the same bytes
     * (a squatter, a front-runner) cannot change what this returns.
     */
    public long assetByContent(byte[] contentId, Address registrant) {
        return read(NAME + ".assetByContent", () -> binding.assetByContent(contentId.clone(), registrant.lowercaseHex())
                .send()).longValueExact();
    }

    /** The account that registered an asset (its claim's key; the owner may differ after a transfer). */
    public Address registrant(long assetId) {
        return Address.parse(read(NAME + ".registrantOf", () -> binding.registrantOf(BigInteger.valueOf(assetId)).send()));
    }

    /** One AssetRegistered event: which asset, of what kind, with what binary content id, registered by whom. */
    public record Registration(long assetId, AssetKind kind, byte[] contentId, Address registrant) {}

    /**
     * The assets registered since the deployment, oldest first, from the AssetRegistered events; at most {@code limit}
     * of them, so a flooded registry bounds the work (callers say what they do past it).
     */
    public List<Registration> registrations(int limit) {
        org.web3j.protocol.core.methods.request.EthFilter filter = new org.web3j.protocol.core.methods.request.EthFilter(
                org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(calls.deployment().deployBlock())),
                org.web3j.protocol.core.DefaultBlockParameterName.LATEST, binding.getContractAddress());
        filter.addSingleTopic(org.web3j.abi.EventEncoder.encode(AssetRegistry.ASSETREGISTERED_EVENT));
        List<Registration> out = new ArrayList<>();
        for (org.web3j.protocol.core.methods.response.Log log : calls.client().logs(filter, limit)) {
            AssetRegistry.AssetRegisteredEventResponse e = AssetRegistry.getAssetRegisteredEventFromLog(log);
            out.add(new Registration(e.assetId.longValueExact(), AssetKind.of(e.kind.intValueExact()), e.contentId,
                    Address.parse(e.owner)));
        }
        return List.copyOf(out);
    }

    /** An asset's current owner. */
    public Address owner(long assetId) {
        return Address.parse(read(NAME + ".ownerOf", () -> binding.ownerOf(BigInteger.valueOf(assetId)).send()));
    }

    private long registeredId(TransactionReceipt receipt, String function) {
        List<AssetRegistry.AssetRegisteredEventResponse> events = AssetRegistry.getAssetRegisteredEvents(receipt);
        if (events.size() != 1) {
            throw ChainErrors.chain(function + " transaction " + receipt.getTransactionHash() + " emitted "
                    + events.size() + " AssetRegistered events, expected 1");
        }
        return events.getFirst().assetId.longValueExact();
    }

    /** Checks what the contract would refuse on its own inputs (content ids, parent count), before gas is spent. */
    private static AssetRegistry.Declaration declaration(byte[] contentId, byte[] metadataId, Licence licence,
                                                         List<LineageEdge> parents) {
        if (contentId.length == 0 || contentId.length > MAX_CID_BYTES) {
            throw ChainErrors.input("content id must be 1.." + MAX_CID_BYTES + " bytes, got " + contentId.length);
        }
        if (metadataId.length > MAX_CID_BYTES) {
            throw ChainErrors.input("metadata id must be at most " + MAX_CID_BYTES + " bytes, got " + metadataId.length);
        }
        if (parents.size() > MAX_PARENTS) {
            throw ChainErrors.input("an asset names at most " + MAX_PARENTS + " parents, got " + parents.size());
        }
        int total = 0;
        for (LineageEdge e : parents) {
            total += e.shareBps();
        }
        if (total > LineageEdge.BPS) {
            throw ChainErrors.input("parents' shares add up to " + total + " basis points, more than the whole ("
                    + LineageEdge.BPS + ")");
        }
        List<AssetRegistry.Parent> structs = parents.stream()
                .map(e -> new AssetRegistry.Parent(BigInteger.valueOf(e.parentId()), BigInteger.valueOf(e.shareBps())))
                .toList();
        return new AssetRegistry.Declaration(contentId.clone(), metadataId.clone(), struct(licence), structs);
    }

    private static AssetRegistry.Licence struct(Licence l) {
        return new AssetRegistry.Licence(l.spdx(), BigInteger.valueOf(l.terms().ordinal()), l.token().lowercaseHex(),
                l.price());
    }

    private static Licence licence(AssetRegistry.Licence l) {
        return new Licence(l.spdx, Terms.of(l.terms.intValueExact()), Address.parse(l.token), l.price);
    }

    private static List<LineageEdge> edges(List<AssetRegistry.Parent> parents) {
        return parents.stream().map(p -> new LineageEdge(p.assetId.longValueExact(), p.shareBps.intValueExact())).toList();
    }
}
