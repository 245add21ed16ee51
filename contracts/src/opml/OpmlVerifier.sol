// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Staking} from "../Staking.sol";
import {ProviderRegistry} from "../ProviderRegistry.sol";
import {IntLm} from "./IntLm.sol";

/// @title OpmlVerifier
/// @notice Optimistic verification (opML) of LLM inference: a provider's signed receipt commits to the Merkle root of
/// the whole integer trace of a generation (every operation's output, see IntLm); a challenger who re-ran it and got
/// another root bonds and bisects on-chain down to one operation, of which the contract recomputes one element.
///
/// The trace tree has a leaf per (position, slot, op), leaf hash keccak256(0x00 ‖ output), padding operations and
/// positions past the generation the zero hash, node keccak256(0x01 ‖ left ‖ right). Its depth is log2 of the
/// positions padded to a power of two, plus 5, so the top levels split positions (tokens), the next two slots (layers),
/// the last three operations. The game:
/// 1. Descend: both parties reveal the two children of their disputed node (checked against it); the first differing
///    child is followed, so at the bottom stands the first leaf where the two traces differ, and every leaf before it
///    is the same in both (which is why the inputs of that operation may be proven against either root).
/// 2. A padding leaf is decided at once (the side holding the zero hash is right). Otherwise Reveal: both publish the
///    output behind their leaf.
/// 3. Resolve (anyone): given the operation's inputs (earlier leaves, with Merkle proofs) and weight row (proven
///    against the receipt's model root), the contract finds the first element where the two outputs differ and
///    recomputes that one element (one row of a matrix product, one norm element, one activation, one sample).
/// A party that does not move, reveal in time loses; if neither did, or nobody resolves in time, the challenger, who
/// carries the burden, loses. The loser is slashed `slashAmount` through Staking (FAULT_PROOF_ROLE: PROVIDER stake of
/// the provider, VALIDATOR stake of the challenger); the bond goes to the provider when the challenger loses, back to
/// the challenger when it wins, to the slash sink when both were wrong.
///
/// The output itself is bound by teacher forcing: positions run on the claimed prompt and output tokens, and the
/// SAMPLE operation at position p ≥ promptLength − 1 must produce output token p − promptLength + 1. An honest trace of a
/// wrong output has a SAMPLE leaf that contradicts the output, which `proveOutputMismatch` shows against the receipt's
/// root directly (no game); a trace that hides it by a wrong SAMPLE leaf loses the game at that leaf.
/// @dev No owner, no admin. One open dispute per receipt at a time; a receipt proven wrong is closed for good.
/// HYP moves only as: bond in at `challenge`, bond out once at resolution.
contract OpmlVerifier is ReentrancyGuardTransient, EIP712 {
    using SafeERC20 for IERC20;

    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "OpmlReceipt(address provider,bytes32 modelRoot,bytes32 promptHash,bytes32 outputHash,uint64 seed,"
        "uint16 promptLength,uint16 outputLength,bytes32 traceRoot,bytes32 requestId)"
    );

    enum Phase {
        None,
        Descend,
        Reveal,
        Resolve,
        Resolved
    }

    enum Outcome {
        None,
        ProviderWon,
        ChallengerWon,
        BothWrong
    }

    /// @notice What the provider signs for one generation of the IntLm model `modelRoot` (its weight-tree root).
    struct Receipt {
        address provider;
        bytes32 modelRoot;
        bytes32 promptHash;
        bytes32 outputHash;
        uint64 seed;
        uint16 promptLength;
        uint16 outputLength;
        bytes32 traceRoot;
        bytes32 requestId;
    }

    /// @notice The inputs of the disputed operation: the two revealed outputs, up to two earlier trace leaves (with
    /// proofs against the provider's root, or the challenger's when `againstProvider` is false: below the disputed
    /// leaf both trees agree), the weight row it reads (with its proof against the model root) and the tokens.
    struct Witness {
        bytes providerOut;
        bytes challengerOut;
        bytes inputA;
        bytes32[] proofA;
        bytes inputB;
        bytes32[] proofB;
        bool againstProvider;
        bytes weightRow;
        bytes32[] weightProof;
        bytes prompt;
        bytes output;
    }

    /// @notice A SAMPLE leaf of the receipt's own trace (with its proof) that contradicts the claimed output.
    struct Mismatch {
        uint256 position;
        bytes sampled;
        bytes32[] proof;
    }

    struct Dispute {
        address provider;
        address challenger;
        bytes32 receiptDigest;
        bytes32 modelRoot;
        bytes32 tokensHash;
        bytes32 providerRoot;
        bytes32 challengerRoot;
        uint64 seed;
        uint16 promptLength;
        uint16 positions;
        Phase phase;
        Outcome outcome;
        uint8 depth;
        uint8 level;
        uint64 nodeIndex;
        uint64 deadline;
        bytes32 providerNode;
        bytes32 challengerNode;
        bool providerMoved;
        bool challengerMoved;
        bytes32 providerLeft;
        bytes32 providerRight;
        bytes32 challengerLeft;
        bytes32 challengerRight;
        uint256 bond;
    }

    Staking public immutable staking;
    ProviderRegistry public immutable registry;
    IERC20 public immutable bondToken;
    uint256 public immutable challengeBond;
    uint256 public immutable slashAmount;
    uint256 public immutable minChallengerStake;
    uint64 public immutable moveTimeout;

    mapping(uint256 disputeId => Dispute) private _disputes;
    mapping(bytes32 receiptDigest => uint256 disputeId) private _openDispute;
    mapping(bytes32 receiptDigest => bool) private _faulted;
    uint256 private _nextDisputeId = 1;
    uint256 private _bondsHeld;

    event Challenged(
        uint256 indexed disputeId,
        bytes32 indexed receiptDigest,
        address indexed challenger,
        address provider,
        bytes32 providerRoot,
        bytes32 challengerRoot,
        uint8 depth
    );
    event Moved(uint256 indexed disputeId, address indexed party, bytes32 left, bytes32 right);
    event Descended(uint256 indexed disputeId, uint8 level, uint64 nodeIndex, uint64 deadline);
    event LeafReached(uint256 indexed disputeId, uint64 leafIndex, uint8 kind, uint64 deadline);
    event Revealed(uint256 indexed disputeId, address indexed party, bytes output);
    event Resolved(
        uint256 indexed disputeId, Outcome outcome, uint256 providerSlashed, uint256 challengerSlashed, uint64 element
    );
    event OutputMismatchProven(bytes32 indexed receiptDigest, address indexed provider, uint256 position, uint256 slashed);

    error InvalidParameter(string name);
    error BadSignature(address signer, address expected);
    error BadTokens(string which);
    error BadLengths(uint256 promptLength, uint256 outputLength);
    error SameRoot();
    error ReceiptFaulted(bytes32 receiptDigest);
    error AlreadyDisputed(bytes32 receiptDigest, uint256 disputeId);
    error InsufficientStake(uint256 have, uint256 need);
    error PartyCannotAct(address caller);
    error UnknownDispute(uint256 disputeId);
    error WrongPhase(uint256 disputeId, Phase phase);
    error NotParty(uint256 disputeId, address caller);
    error AlreadyMoved(uint256 disputeId, address caller);
    error RoundOver(uint256 disputeId, uint64 deadline);
    error RoundNotOver(uint256 disputeId, uint64 deadline);
    error NotChildren(uint256 disputeId);
    error NotPreimage(uint256 disputeId, string which);
    error BadProof(string which);
    error NoMismatch(uint256 position);

    /// @param staking_ Staking: challengers need `minChallengerStake` VALIDATOR stake; losers are slashed (grant
    /// FAULT_PROOF_ROLE to this contract)
    /// @param registry_ ProviderRegistry: whose signing key signs a provider's receipts
    /// @param challengeBond_ HYP a challenger bonds (> 0)
    /// @param slashAmount_ HYP taken from a loser's stake (> 0; less when less is staked)
    /// @param minChallengerStake_ VALIDATOR stake needed to challenge (> 0)
    /// @param moveTimeout_ seconds each round gives the parties (> 0)
    constructor(
        Staking staking_,
        ProviderRegistry registry_,
        uint256 challengeBond_,
        uint256 slashAmount_,
        uint256 minChallengerStake_,
        uint64 moveTimeout_
    ) EIP712("Hypha OpmlVerifier", "1") {
        if (address(staking_) == address(0)) revert InvalidParameter("staking");
        if (address(registry_) == address(0)) revert InvalidParameter("registry");
        if (challengeBond_ == 0) revert InvalidParameter("challengeBond");
        if (slashAmount_ == 0) revert InvalidParameter("slashAmount");
        if (minChallengerStake_ == 0) revert InvalidParameter("minChallengerStake");
        if (moveTimeout_ == 0) revert InvalidParameter("moveTimeout");
        staking = staking_;
        registry = registry_;
        bondToken = staking_.stakeToken();
        challengeBond = challengeBond_;
        slashAmount = slashAmount_;
        minChallengerStake = minChallengerStake_;
        moveTimeout = moveTimeout_;
    }

    // ---------------------------------------------------------------------------------------------- receipts

    /// @notice The EIP-712 digest the provider's signing key signs for `r`.
    function receiptDigest(Receipt calldata r) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(RECEIPT_TYPEHASH, r)));
    }

    /// @notice Depth of the trace tree of a generation of `positions` positions.
    function traceDepth(uint256 positions) public pure returns (uint8 depth) {
        uint256 padded = 1;
        while (padded < positions) {
            padded <<= 1;
            ++depth;
        }
        depth += 5; // 4 slots × 8 operations per position
    }

    /// @notice Whether `digest` was proven wrong (by a game or an output mismatch).
    function isFaulted(bytes32 digest) external view returns (bool) {
        return _faulted[digest];
    }

    // ---------------------------------------------------------------------------------------------- disputes

    /// @notice Disputes the receipt: the caller re-ran the generation and got trace root `challengerRoot`. Pulls
    /// `challengeBond` HYP (approve first); needs `minChallengerStake` VALIDATOR stake.
    /// @param prompt the prompt's tokens (keccak256 = the receipt's promptHash)
    /// @param output the output's tokens (keccak256 = the receipt's outputHash)
    /// @return disputeId the new dispute
    function challenge(
        Receipt calldata r,
        bytes calldata signature,
        bytes calldata prompt,
        bytes calldata output,
        bytes32 challengerRoot
    ) external nonReentrant returns (uint256 disputeId) {
        bytes32 digest = _checkReceipt(r, signature, prompt, output);
        if (_faulted[digest]) revert ReceiptFaulted(digest);
        if (challengerRoot == r.traceRoot) revert SameRoot();
        uint256 open = _openDispute[digest];
        if (open != 0) revert AlreadyDisputed(digest, open);
        if (msg.sender == r.provider) revert PartyCannotAct(msg.sender);
        uint256 stake = staking.stakeOf(msg.sender, staking.VALIDATOR());
        if (stake < minChallengerStake) revert InsufficientStake(stake, minChallengerStake);

        disputeId = _open(r, digest, keccak256(abi.encodePacked(prompt, output)), challengerRoot);
        bondToken.safeTransferFrom(msg.sender, address(this), challengeBond);
    }

    /// @notice A party's move while descending: the two children of its disputed node.
    function move(uint256 disputeId, bytes32 left, bytes32 right) external {
        Dispute storage d = _dispute(disputeId);
        _requirePhase(disputeId, d, Phase.Descend);
        bool isProvider = _party(disputeId, d);
        if (isProvider ? d.providerMoved : d.challengerMoved) revert AlreadyMoved(disputeId, msg.sender);
        if (nodeHash(left, right) != (isProvider ? d.providerNode : d.challengerNode)) revert NotChildren(disputeId);
        if (isProvider) {
            (d.providerMoved, d.providerLeft, d.providerRight) = (true, left, right);
        } else {
            (d.challengerMoved, d.challengerLeft, d.challengerRight) = (true, left, right);
        }
        emit Moved(disputeId, msg.sender, left, right);
        if (d.providerMoved && d.challengerMoved) _descend(disputeId, d);
    }

    /// @notice A party publishes the output behind its disputed leaf.
    function reveal(uint256 disputeId, bytes calldata out) external {
        Dispute storage d = _dispute(disputeId);
        _requirePhase(disputeId, d, Phase.Reveal);
        bool isProvider = _party(disputeId, d);
        if (isProvider ? d.providerMoved : d.challengerMoved) revert AlreadyMoved(disputeId, msg.sender);
        if (leafHash(out) != (isProvider ? d.providerNode : d.challengerNode)) revert NotPreimage(disputeId, "output");
        if (isProvider) d.providerMoved = true;
        else d.challengerMoved = true;
        emit Revealed(disputeId, msg.sender, out);
        if (d.providerMoved && d.challengerMoved) {
            d.phase = Phase.Resolve;
            d.deadline = uint64(block.timestamp) + moveTimeout;
        }
    }

    /// @notice Recomputes one element of the disputed operation from its proven inputs and ends the dispute. Anyone.
    function resolve(uint256 disputeId, Witness calldata w) external nonReentrant {
        Dispute storage d = _dispute(disputeId);
        _requirePhase(disputeId, d, Phase.Resolve);
        if (leafHash(w.providerOut) != d.providerNode) revert NotPreimage(disputeId, "providerOut");
        if (leafHash(w.challengerOut) != d.challengerNode) revert NotPreimage(disputeId, "challengerOut");
        (uint256 pos, uint256 slot, uint256 op) = _split(d.nodeIndex);
        uint8 kind = IntLm.kindOf(slot, op);
        uint256 len = IntLm.outputLength(kind);
        bool providerRight = w.providerOut.length == len;
        bool challengerRight = w.challengerOut.length == len;
        uint256 element = type(uint64).max;
        if (providerRight && challengerRight) {
            uint256 width = kind == IntLm.MIX ? 4 : 1;
            element = _firstDifference(w.providerOut, w.challengerOut, width);
            int256 truth = _recompute(d, w, pos, slot, kind, element);
            providerRight = _element(w.providerOut, kind, element) == truth;
            challengerRight = _element(w.challengerOut, kind, element) == truth;
        }
        // forge-lint: disable-next-line(unsafe-typecast)
        _settle(disputeId, d, _outcome(providerRight, challengerRight), uint64(element));
    }

    /// @notice Ends a dispute whose round passed its deadline: a party that did not move or reveal loses; if neither
    /// did, or nobody resolved, the challenger loses. Anyone.
    function timeout(uint256 disputeId) external nonReentrant {
        Dispute storage d = _dispute(disputeId);
        if (d.phase == Phase.Resolved) revert WrongPhase(disputeId, d.phase);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp <= d.deadline) revert RoundNotOver(disputeId, d.deadline);
        Outcome o = Outcome.ProviderWon;
        if (d.phase != Phase.Resolve && d.challengerMoved && !d.providerMoved) o = Outcome.ChallengerWon;
        _settle(disputeId, d, o, type(uint64).max);
    }

    /// @notice Proves at once that the receipt's own trace contradicts its output: the SAMPLE leaf at `m.position`
    /// (≥ promptLength − 1) holds `m.sampled`, not the output token the receipt claims there. Slashes the provider.
    function proveOutputMismatch(
        Receipt calldata r,
        bytes calldata signature,
        bytes calldata prompt,
        bytes calldata output,
        Mismatch calldata m
    ) external nonReentrant {
        bytes32 digest = _checkReceipt(r, signature, prompt, output);
        if (_faulted[digest]) revert ReceiptFaulted(digest);
        uint256 open = _openDispute[digest];
        if (open != 0) revert AlreadyDisputed(digest, open);
        _checkMismatch(r, output, m);
        _faulted[digest] = true;
        uint256 slashed = staking.slash(r.provider, staking.PROVIDER(), slashAmount, digest);
        emit OutputMismatchProven(digest, r.provider, m.position, slashed);
    }

    // ---------------------------------------------------------------------------------------------- views

    function getDispute(uint256 disputeId) external view returns (Dispute memory) {
        return _disputes[disputeId];
    }

    function openDisputeOf(bytes32 digest) external view returns (uint256) {
        return _openDispute[digest];
    }

    /// @notice HYP held as bonds of open disputes (equals this contract's HYP balance unless someone sent HYP here).
    function bondsHeld() external view returns (uint256) {
        return _bondsHeld;
    }

    function nodeHash(bytes32 left, bytes32 right) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x01), left, right));
    }

    function leafHash(bytes calldata data) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x00), data));
    }

    /// @notice Whether `leaf` is leaf `index` of the tree of `depth` with `root` (`proof`: siblings, bottom up).
    function verify(bytes32 root, bytes32 leaf, uint256 index, uint256 depth, bytes32[] calldata proof)
        public
        pure
        returns (bool)
    {
        if (proof.length != depth || index >> depth != 0) return false;
        bytes32 h = leaf;
        for (uint256 i = 0; i < depth; ++i) {
            h = (index >> i) & 1 == 0 ? nodeHash(h, proof[i]) : nodeHash(proof[i], h);
        }
        return h == root;
    }

    // ---------------------------------------------------------------------------------------------- internals

    function _checkReceipt(Receipt calldata r, bytes calldata signature, bytes calldata prompt, bytes calldata output)
        private
        view
        returns (bytes32 digest)
    {
        if (r.promptLength == 0 || r.outputLength == 0 || uint256(r.promptLength) + r.outputLength - 1 > IntLm.MAX_POSITIONS)
        {
            revert BadLengths(r.promptLength, r.outputLength);
        }
        if (prompt.length != r.promptLength || keccak256(prompt) != r.promptHash) revert BadTokens("prompt");
        if (output.length != r.outputLength || keccak256(output) != r.outputHash) revert BadTokens("output");
        digest = receiptDigest(r);
        address key = registry.getProvider(r.provider).signingKey;
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err != ECDSA.RecoverError.NoError || signer != key || key == address(0)) revert BadSignature(signer, key);
    }

    function _open(Receipt calldata r, bytes32 digest, bytes32 tokensHash, bytes32 challengerRoot)
        private
        returns (uint256 disputeId)
    {
        disputeId = _nextDisputeId++;
        _openDispute[digest] = disputeId;
        Dispute storage d = _disputes[disputeId];
        d.provider = r.provider;
        d.challenger = msg.sender;
        d.receiptDigest = digest;
        d.modelRoot = r.modelRoot;
        d.tokensHash = tokensHash;
        d.providerRoot = r.traceRoot;
        d.challengerRoot = challengerRoot;
        d.seed = r.seed;
        d.promptLength = r.promptLength;
        d.positions = r.promptLength + r.outputLength - 1;
        d.depth = traceDepth(d.positions);
        d.providerNode = r.traceRoot;
        d.challengerNode = challengerRoot;
        d.phase = Phase.Descend;
        d.deadline = uint64(block.timestamp) + moveTimeout;
        d.bond = challengeBond;
        _bondsHeld += challengeBond;
        emit Challenged(disputeId, digest, msg.sender, r.provider, r.traceRoot, challengerRoot, d.depth);
        emit Descended(disputeId, 0, 0, d.deadline);
    }

    function _checkMismatch(Receipt calldata r, bytes calldata output, Mismatch calldata m) private pure {
        uint256 positions = uint256(r.promptLength) + r.outputLength - 1;
        if (m.position + 1 < r.promptLength || m.position >= positions) revert NoMismatch(m.position);
        uint256 index = IntLm.leafIndex(m.position, IntLm.L + 1, 2);
        if (!verify(r.traceRoot, leafHash(m.sampled), index, traceDepth(positions), m.proof)) revert BadProof("sampled");
        if (m.sampled.length == 1 && m.sampled[0] == output[m.position + 1 - r.promptLength]) {
            revert NoMismatch(m.position);
        }
    }

    function _descend(uint256 disputeId, Dispute storage d) private {
        bool goLeft = d.providerLeft != d.challengerLeft;
        d.providerNode = goLeft ? d.providerLeft : d.providerRight;
        d.challengerNode = goLeft ? d.challengerLeft : d.challengerRight;
        d.nodeIndex = d.nodeIndex * 2 + (goLeft ? 0 : 1);
        d.level += 1;
        (d.providerMoved, d.challengerMoved) = (false, false);
        d.deadline = uint64(block.timestamp) + moveTimeout;
        if (d.level < d.depth) {
            emit Descended(disputeId, d.level, d.nodeIndex, d.deadline);
            return;
        }
        (uint256 pos, uint256 slot, uint256 op) = _split(d.nodeIndex);
        uint8 kind = pos >= d.positions ? IntLm.PAD : IntLm.kindOf(slot, op);
        emit LeafReached(disputeId, d.nodeIndex, kind, d.deadline);
        if (kind == IntLm.PAD) {
            // padding is the zero hash; the two leaves differ, so at most one side holds it
            _settle(disputeId, d, _outcome(d.providerNode == 0, d.challengerNode == 0), type(uint64).max);
        } else {
            d.phase = Phase.Reveal;
        }
    }

    function _recompute(Dispute storage d, Witness calldata w, uint256 pos, uint256 slot, uint8 kind, uint256 e)
        private
        view
        returns (int256)
    {
        if (kind == IntLm.EMBED) {
            if (keccak256(abi.encodePacked(w.prompt, w.output)) != d.tokensHash) revert BadTokens("tokens");
            uint256 token = pos < w.prompt.length ? uint8(w.prompt[pos]) : uint8(w.output[pos - w.prompt.length]);
            _weight(d, w, IntLm.embRow(token), IntLm.D);
            return IntLm.at8(w.weightRow, e);
        }
        if (kind == IntLm.NORM) {
            _input(d, w.inputA, w.proofA, w.againstProvider, IntLm.blockInput(pos, slot), IntLm.D, "x");
            return IntLm.norm(w.inputA, e);
        }
        if (kind == IntLm.MIX) {
            _input(d, w.inputA, w.proofA, w.againstProvider, IntLm.leafIndex(pos, slot, 0), IntLm.D, "y");
            if (pos > 0) {
                _input(d, w.inputB, w.proofB, w.againstProvider, IntLm.leafIndex(pos - 1, slot, 1), 4 * IntLm.D, "prev");
            } else if (w.inputB.length != 0) {
                revert BadProof("prev");
            }
            return IntLm.mix(w.inputB, w.inputA, e);
        }
        if (kind == IntLm.AVG) {
            _input(d, w.inputA, w.proofA, w.againstProvider, IntLm.leafIndex(pos, slot, 1), 4 * IntLm.D, "s");
            return IntLm.avg(w.inputA, pos, e);
        }
        if (kind == IntLm.MM1) {
            _input(d, w.inputA, w.proofA, w.againstProvider, IntLm.leafIndex(pos, slot, 2), IntLm.D, "a");
            _weight(d, w, IntLm.w1Row(slot - 1, e), IntLm.D);
            return IntLm.dotRow(w.weightRow, w.inputA);
        }
        if (kind == IntLm.RELU) {
            _input(d, w.inputA, w.proofA, w.againstProvider, IntLm.leafIndex(pos, slot, 3), IntLm.F, "h");
            int256 h = IntLm.at8(w.inputA, e);
            return h > 0 ? h : int256(0);
        }
        if (kind == IntLm.MM2) {
            _input(d, w.inputA, w.proofA, w.againstProvider, IntLm.leafIndex(pos, slot, 4), IntLm.F, "g");
            _weight(d, w, IntLm.w2Row(slot - 1, e), IntLm.F);
            return IntLm.dotRow(w.weightRow, w.inputA);
        }
        if (kind == IntLm.ADD) {
            _input(d, w.inputA, w.proofA, w.againstProvider, IntLm.blockInput(pos, slot), IntLm.D, "x");
            _input(d, w.inputB, w.proofB, w.againstProvider, IntLm.leafIndex(pos, slot, 5), IntLm.D, "o");
            return IntLm.clamp8(IntLm.at8(w.inputA, e) + IntLm.at8(w.inputB, e));
        }
        if (kind == IntLm.LOGITS) {
            _input(d, w.inputA, w.proofA, w.againstProvider, IntLm.leafIndex(pos, slot, 0), IntLm.D, "y");
            _weight(d, w, IntLm.headRow(e), IntLm.D);
            return IntLm.dotRow(w.weightRow, w.inputA);
        }
        // SAMPLE
        _input(d, w.inputA, w.proofA, w.againstProvider, IntLm.leafIndex(pos, slot, 1), IntLm.V, "logits");
        return int256(IntLm.sample(w.inputA, d.seed, pos));
    }

    function _input(
        Dispute storage d,
        bytes calldata data,
        bytes32[] calldata proof,
        bool againstProvider,
        uint256 index,
        uint256 len,
        string memory which
    ) private view {
        bytes32 root = againstProvider ? d.providerRoot : d.challengerRoot;
        if (data.length != len || !verify(root, leafHash(data), index, d.depth, proof)) revert BadProof(which);
    }

    function _weight(Dispute storage d, Witness calldata w, uint256 row, uint256 len) private view {
        if (w.weightRow.length != len || !verify(d.modelRoot, leafHash(w.weightRow), row, IntLm.WEIGHT_DEPTH, w.weightProof))
        {
            revert BadProof("weightRow");
        }
    }

    function _element(bytes calldata out, uint8 kind, uint256 e) private pure returns (int256) {
        if (kind == IntLm.MIX) return IntLm.at32(out, e);
        if (kind == IntLm.SAMPLE) return int256(uint256(uint8(out[e])));
        return IntLm.at8(out, e);
    }

    /// @dev First element (of `width` bytes) where a and b differ; they differ (their leaves do) and have one length.
    function _firstDifference(bytes calldata a, bytes calldata b, uint256 width) private pure returns (uint256) {
        for (uint256 i = 0; i < a.length; ++i) {
            if (a[i] != b[i]) return i / width;
        }
        return 0; // unreachable: equal outputs have equal leaves
    }

    function _split(uint64 index) private pure returns (uint256 pos, uint256 slot, uint256 op) {
        op = index % IntLm.OPS;
        slot = (index / IntLm.OPS) % IntLm.SLOTS;
        pos = index / (IntLm.OPS * IntLm.SLOTS);
    }

    function _outcome(bool providerRight, bool challengerRight) private pure returns (Outcome) {
        if (providerRight) return Outcome.ProviderWon; // the challenger's leaf differs, so it is wrong
        return challengerRight ? Outcome.ChallengerWon : Outcome.BothWrong;
    }

    function _settle(uint256 disputeId, Dispute storage d, Outcome o, uint64 element) private {
        d.phase = Phase.Resolved;
        d.outcome = o;
        delete _openDispute[d.receiptDigest];
        uint256 bond = d.bond;
        _bondsHeld -= bond;
        uint256 providerSlashed;
        uint256 challengerSlashed;
        address bondTo = d.provider;
        if (o != Outcome.ProviderWon) {
            _faulted[d.receiptDigest] = true;
            providerSlashed = staking.slash(d.provider, staking.PROVIDER(), slashAmount, bytes32(disputeId));
            bondTo = o == Outcome.ChallengerWon ? d.challenger : staking.slashSink();
        }
        if (o != Outcome.ChallengerWon) {
            challengerSlashed = staking.slash(d.challenger, staking.VALIDATOR(), slashAmount, bytes32(disputeId));
        }
        emit Resolved(disputeId, o, providerSlashed, challengerSlashed, element);
        bondToken.safeTransfer(bondTo, bond);
    }

    function _dispute(uint256 disputeId) private view returns (Dispute storage d) {
        d = _disputes[disputeId];
        if (d.phase == Phase.None) revert UnknownDispute(disputeId);
    }

    function _requirePhase(uint256 disputeId, Dispute storage d, Phase phase) private view {
        if (d.phase != phase) revert WrongPhase(disputeId, d.phase);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > d.deadline) revert RoundOver(disputeId, d.deadline);
    }

    function _party(uint256 disputeId, Dispute storage d) private view returns (bool isProvider) {
        isProvider = msg.sender == d.provider;
        if (!isProvider && msg.sender != d.challenger) revert NotParty(disputeId, msg.sender);
    }
}
