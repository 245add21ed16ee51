// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ComputeMarket, ILeaseVerifier} from "./ComputeMarket.sol";
import {Staking} from "./Staking.sol";

/// @title TrainingVerifier
/// @notice Verification of training leases of ComputeMarket by replay, with disputes that bisect to one step.
///
/// The provider of a lease commits the root of its training state every k steps (`commit`; the first commitment is
/// the state at step 0). The root is a keccak-256 Merkle tree over the canonical state (hypha-ml
/// `train.verify.StateLeaves`): leaf hash keccak256(0x00 ‖ leaf), inner node keccak256(0x01 ‖ left ‖ right), leaves
/// padded with zero hashes to 2^depth; the depth is fixed by the lease's first commitment.
///
/// Any verifier with at least `minVerifierStake` VALIDATOR stake who re-executed a segment and got another root
/// challenges the commitment within `challengeWindow`, bonding `challengeBond` HYP. The dispute then plays rounds in
/// which both parties move (in any order) before the round's deadline:
/// 1. Bisect: between the last step both agree on (`lo`, the previous commitment) and the disputed step (`hi`), both
///    post their root at mid = (lo + hi) / 2; equal roots move lo up, different ones move hi down, until hi = lo + 1.
/// 2. Descend: both reveal the two children of their disputed tree node, which the contract checks against the node
///    (so the path down is a Merkle proof of each side's leaf), and the first differing child is followed to a leaf.
/// 3. Vote: staked referees (VALIDATOR stake, not a party nor the tenant) re-execute the one step lo -> hi from the
///    agreed state and vote the hash of the disputed leaf. After `voteWindow`, a side wins when its leaf has at least
///    `quorum` votes and more than the other side's leaf and all third values together; third values winning that way
///    means both were wrong; anything else is undecided (bond back, nobody slashed).
/// A party that does not move before a round's deadline loses (if neither moved, the challenger, who carries the
/// burden of the dispute). The loser is slashed `slashAmount` through Staking (this contract holds FAULT_PROOF_ROLE);
/// a losing challenger's bond goes to the provider, a losing provider's lease is closed by ComputeMarket with the
/// escrow still held refunded to the tenant. Both wrong: both slashed, the bond to the slash sink.
/// @dev No owner, no admin. At most one open dispute per commitment; each resolution reopens the commitment to
/// challenges for a full `challengeWindow`. Referees are any VALIDATOR stakers with `minVerifierStake`, one vote
/// per address (not weighted by stake): the vote is only as good as the assumption that honest referees outnumber
/// the others among those who vote. Amounts of HYP move only as: bond in at
/// `challenge`, bond out once at resolution (to the challenger, the provider, or the slash sink).
contract TrainingVerifier is ILeaseVerifier, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Deepest state tree accepted (2^40 leaves of 4 KiB is far beyond any lease).
    uint8 public constant MAX_DEPTH = 40;

    enum Phase {
        None,
        Bisect,
        Descend,
        Vote,
        Resolved
    }

    enum Outcome {
        None,
        ProviderWon,
        ChallengerWon,
        BothWrong,
        Undecided
    }

    /// @notice A committed state root: the state after `step` steps, posted at `time`.
    struct Commitment {
        uint64 step;
        uint64 time;
        bytes32 root;
    }

    /// @notice One dispute. `providerHash` / `challengerHash` are what the two sides hold at the disputed point: their
    /// roots at `hi` while bisecting, their node (level, nodeIndex) while descending, their leaf while voting.
    struct Dispute {
        uint256 orderId;
        address provider;
        address challenger;
        uint32 commitmentIndex;
        Phase phase;
        Outcome outcome;
        uint8 depth;
        uint8 level;
        uint64 lo;
        uint64 hi;
        uint64 nodeIndex;
        uint64 deadline;
        bytes32 agreedRoot;
        bytes32 providerHash;
        bytes32 challengerHash;
        bool providerMoved;
        bool challengerMoved;
        bytes32 providerMoveA;
        bytes32 providerMoveB;
        bytes32 challengerMoveA;
        bytes32 challengerMoveB;
        uint32 votesProvider;
        uint32 votesChallenger;
        uint32 votesOther;
        uint256 bond;
    }

    ComputeMarket public immutable market;
    Staking public immutable staking;
    /// @notice The token bonds are in (the staked token, HYP).
    IERC20 public immutable bondToken;
    uint256 public immutable challengeBond;
    uint256 public immutable slashAmount;
    uint256 public immutable minVerifierStake;
    uint64 public immutable challengeWindow;
    uint64 public immutable moveTimeout;
    uint64 public immutable voteWindow;
    uint32 public immutable quorum;

    mapping(uint256 orderId => Commitment[]) private _commitments;
    mapping(uint256 orderId => uint8) private _depth;
    mapping(uint256 orderId => mapping(uint256 index => uint256 disputeId)) private _openDispute;
    mapping(uint256 orderId => mapping(uint256 index => uint64)) private _reopenUntil;
    mapping(uint256 disputeId => Dispute) private _disputes;
    mapping(uint256 disputeId => mapping(address referee => bool)) private _voted;
    /// @dev Disputes of each lease not yet resolved, and the end of the latest window a resolution reopened on it.
    mapping(uint256 orderId => uint256) private _openDisputes;
    mapping(uint256 orderId => uint64) private _lastReopenEnd;
    uint256 private _nextDisputeId = 1;
    uint256 private _bondsHeld;

    /// @notice The provider of lease `orderId` committed `root` as its state after `step` steps.
    event StateCommitted(uint256 indexed orderId, uint256 index, uint64 step, bytes32 root);
    /// @notice `challenger` disputes commitment `index` of lease `orderId`, claiming `challengerRoot`.
    event Challenged(
        uint256 indexed disputeId,
        uint256 indexed orderId,
        uint256 index,
        address indexed challenger,
        bytes32 challengerRoot,
        uint64 lo,
        uint64 hi
    );
    /// @notice A party moved in the current round.
    event Moved(uint256 indexed disputeId, address indexed party, bytes32 a, bytes32 b);
    /// @notice Both moved; the dispute now stands at `phase` with these bounds (see Dispute).
    event RoundAdvanced(
        uint256 indexed disputeId, Phase phase, uint64 lo, uint64 hi, uint8 level, uint64 nodeIndex, uint64 deadline
    );
    /// @notice The dispute reached one step and one leaf: referees re-execute step `lo` from `agreedRoot` and vote
    /// the hash of leaf `leafIndex` of the state at step `hi`.
    event VoteOpened(uint256 indexed disputeId, uint64 lo, uint64 hi, bytes32 agreedRoot, uint64 leafIndex, uint64 deadline);
    /// @notice `referee` voted `leafHash`.
    event Voted(uint256 indexed disputeId, address indexed referee, bytes32 leafHash);
    /// @notice The dispute ended: who was slashed how much, and what the tenant got back.
    event Resolved(
        uint256 indexed disputeId,
        Outcome outcome,
        uint256 providerSlashed,
        uint256 challengerSlashed,
        uint256 tenantRefunded
    );

    error InvalidParameter(string name);
    error NotProvider(uint256 orderId, address caller);
    error NotLeased(uint256 orderId);
    error InvalidDepth(uint8 depth, uint8 expected);
    error StepNotAfter(uint64 step, uint64 last);
    error FirstCommitmentNotStepZero(uint64 step);
    error UnknownCommitment(uint256 orderId, uint256 index);
    error ChallengeWindowOver(uint256 orderId, uint256 index, uint64 closedAt);
    error SameRoot();
    error NotVerifier(address caller);
    error PartyCannotAct(address caller);
    error AlreadyDisputed(uint256 orderId, uint256 index, uint256 disputeId);
    error UnknownDispute(uint256 disputeId);
    error WrongPhase(uint256 disputeId, Phase phase);
    error NotParty(uint256 disputeId, address caller);
    error AlreadyMoved(uint256 disputeId, address caller);
    error RoundOver(uint256 disputeId, uint64 deadline);
    error RoundNotOver(uint256 disputeId, uint64 deadline);
    error NotChildren(uint256 disputeId);
    error AlreadyVoted(uint256 disputeId, address referee);

    /// @param market_ the ComputeMarket whose leases are verified (it must bind this contract as its verifier)
    /// @param staking_ Staking: challengers and referees need VALIDATOR stake, losers are slashed (grant
    /// FAULT_PROOF_ROLE to this contract)
    /// @param challengeBond_ HYP a challenger bonds (> 0)
    /// @param slashAmount_ HYP taken from a loser's stake (> 0; less when less is staked)
    /// @param minVerifierStake_ VALIDATOR stake needed to challenge or referee (> 0)
    /// @param challengeWindow_ seconds after a commitment during which it may be challenged (> 0)
    /// @param moveTimeout_ seconds each round gives the parties (> 0)
    /// @param voteWindow_ seconds the referees have to vote (> 0)
    /// @param quorum_ votes the winning leaf needs (> 0)
    constructor(
        ComputeMarket market_,
        Staking staking_,
        uint256 challengeBond_,
        uint256 slashAmount_,
        uint256 minVerifierStake_,
        uint64 challengeWindow_,
        uint64 moveTimeout_,
        uint64 voteWindow_,
        uint32 quorum_
    ) {
        if (address(market_) == address(0)) revert InvalidParameter("market");
        if (address(staking_) == address(0)) revert InvalidParameter("staking");
        if (challengeBond_ == 0) revert InvalidParameter("challengeBond");
        if (slashAmount_ == 0) revert InvalidParameter("slashAmount");
        if (minVerifierStake_ == 0) revert InvalidParameter("minVerifierStake");
        if (challengeWindow_ == 0) revert InvalidParameter("challengeWindow");
        if (moveTimeout_ == 0) revert InvalidParameter("moveTimeout");
        if (voteWindow_ == 0) revert InvalidParameter("voteWindow");
        if (quorum_ == 0) revert InvalidParameter("quorum");
        market = market_;
        staking = staking_;
        bondToken = staking_.stakeToken();
        challengeBond = challengeBond_;
        slashAmount = slashAmount_;
        minVerifierStake = minVerifierStake_;
        challengeWindow = challengeWindow_;
        moveTimeout = moveTimeout_;
        voteWindow = voteWindow_;
        quorum = quorum_;
    }

    // ----------------------------------------------------------------------------------------------
    // Provider
    // ----------------------------------------------------------------------------------------------

    /// @notice The lease's provider commits the root of its training state after `step` steps. The first commitment
    /// of a lease is step 0 (the initial state) and fixes the tree depth; each later one is at a later step.
    /// @param orderId a leased order of the market, whose provider the caller is
    /// @param step steps done
    /// @param root the state's Merkle root
    /// @param depth the tree's depth (1..MAX_DEPTH; equal for every commitment of the lease)
    function commit(uint256 orderId, uint64 step, bytes32 root, uint8 depth) external {
        ComputeMarket.Order memory o = market.getOrder(orderId);
        if (o.state != ComputeMarket.OrderState.Leased) revert NotLeased(orderId);
        if (msg.sender != o.provider) revert NotProvider(orderId, msg.sender);
        Commitment[] storage list = _commitments[orderId];
        uint256 n = list.length;
        if (n == 0) {
            if (step != 0) revert FirstCommitmentNotStepZero(step);
            if (depth == 0 || depth > MAX_DEPTH) revert InvalidDepth(depth, MAX_DEPTH);
            _depth[orderId] = depth;
        } else {
            if (depth != _depth[orderId]) revert InvalidDepth(depth, _depth[orderId]);
            uint64 last = list[n - 1].step;
            if (step <= last) revert StepNotAfter(step, last);
        }
        list.push(Commitment({step: step, time: uint64(block.timestamp), root: root}));
        emit StateCommitted(orderId, n, step, root);
    }

    // ----------------------------------------------------------------------------------------------
    // Disputes
    // ----------------------------------------------------------------------------------------------

    /// @notice Disputes commitment `index` of lease `orderId`: the caller re-executed and got `challengerRoot`.
    /// Pulls `challengeBond` HYP from the caller (approve first). The caller needs `minVerifierStake` VALIDATOR stake
    /// and may not be the lease's provider.
    /// @return disputeId the new dispute (ids count up from 1)
    function challenge(uint256 orderId, uint256 index, bytes32 challengerRoot)
        external
        nonReentrant
        returns (uint256 disputeId)
    {
        Commitment[] storage list = _commitments[orderId];
        if (index >= list.length) revert UnknownCommitment(orderId, index);
        Commitment storage c = list[index];
        uint64 closesAt = c.time + challengeWindow;
        uint64 reopened = _reopenUntil[orderId][index];
        if (reopened > closesAt) closesAt = reopened;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > closesAt) revert ChallengeWindowOver(orderId, index, closesAt);
        if (challengerRoot == c.root) revert SameRoot();
        uint256 open = _openDispute[orderId][index];
        if (open != 0) revert AlreadyDisputed(orderId, index, open);
        address provider = market.getOrder(orderId).provider;
        if (msg.sender == provider) revert PartyCannotAct(msg.sender);
        _requireVerifier(msg.sender);

        disputeId = _nextDisputeId++;
        _openDispute[orderId][index] = disputeId;
        _openDisputes[orderId] += 1;
        Dispute storage d = _disputes[disputeId];
        d.orderId = orderId;
        d.provider = provider;
        d.challenger = msg.sender;
        // forge-lint: disable-next-line(unsafe-typecast)
        d.commitmentIndex = uint32(index); // below the list length, which commits one at a time can never push past 2^32
        d.depth = _depth[orderId];
        d.hi = c.step;
        d.providerHash = c.root;
        d.challengerHash = challengerRoot;
        d.bond = challengeBond;
        if (index == 0) {
            d.lo = 0; // the initial state: nothing before it to agree on, referees check the initialization
        } else {
            Commitment storage prev = list[index - 1];
            d.lo = prev.step;
            d.agreedRoot = prev.root;
        }
        _bondsHeld += challengeBond;
        emit Challenged(disputeId, orderId, index, msg.sender, challengerRoot, d.lo, d.hi);
        _startPhase(disputeId, d, index == 0 || d.hi - d.lo == 1 ? Phase.Descend : Phase.Bisect);
        bondToken.safeTransferFrom(msg.sender, address(this), challengeBond);
    }

    /// @notice A party's move in the current round, before its deadline. Bisect: `a` is the caller's root at
    /// `midStep(disputeId)`, `b` is zero. Descend: `a`, `b` are the two children of the caller's disputed node.
    function move(uint256 disputeId, bytes32 a, bytes32 b) external {
        Dispute storage d = _dispute(disputeId);
        if (d.phase != Phase.Bisect && d.phase != Phase.Descend) revert WrongPhase(disputeId, d.phase);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > d.deadline) revert RoundOver(disputeId, d.deadline);
        bool isProvider = msg.sender == d.provider;
        if (!isProvider && msg.sender != d.challenger) revert NotParty(disputeId, msg.sender);
        if (isProvider ? d.providerMoved : d.challengerMoved) revert AlreadyMoved(disputeId, msg.sender);
        if (d.phase == Phase.Bisect) {
            if (b != bytes32(0)) revert NotChildren(disputeId);
        } else if (nodeHash(a, b) != (isProvider ? d.providerHash : d.challengerHash)) {
            revert NotChildren(disputeId);
        }
        if (isProvider) {
            (d.providerMoved, d.providerMoveA, d.providerMoveB) = (true, a, b);
        } else {
            (d.challengerMoved, d.challengerMoveA, d.challengerMoveB) = (true, a, b);
        }
        emit Moved(disputeId, msg.sender, a, b);
        if (d.providerMoved && d.challengerMoved) _advance(disputeId, d);
    }

    /// @notice A referee's vote: the hash of the disputed leaf after re-executing the disputed step. Needs
    /// `minVerifierStake` VALIDATOR stake; neither party nor the lease's tenant; once per dispute.
    function vote(uint256 disputeId, bytes32 leafHash) external {
        Dispute storage d = _dispute(disputeId);
        if (d.phase != Phase.Vote) revert WrongPhase(disputeId, d.phase);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > d.deadline) revert RoundOver(disputeId, d.deadline);
        if (msg.sender == d.provider || msg.sender == d.challenger || msg.sender == market.getOrder(d.orderId).tenant) {
            revert PartyCannotAct(msg.sender);
        }
        if (_voted[disputeId][msg.sender]) revert AlreadyVoted(disputeId, msg.sender);
        _requireVerifier(msg.sender);
        _voted[disputeId][msg.sender] = true;
        if (leafHash == d.providerHash) {
            d.votesProvider++;
        } else if (leafHash == d.challengerHash) {
            d.votesChallenger++;
        } else {
            d.votesOther++;
        }
        emit Voted(disputeId, msg.sender, leafHash);
    }

    /// @notice Ends a dispute once its round's deadline has passed (anyone may call): a silent party loses, a vote is
    /// counted; the loser is slashed, the bond paid out and, when the provider lost, the lease closed and the tenant
    /// refunded.
    function resolve(uint256 disputeId) external nonReentrant {
        Dispute storage d = _dispute(disputeId);
        Phase phase = d.phase;
        if (phase == Phase.Resolved) revert WrongPhase(disputeId, phase);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp <= d.deadline) revert RoundNotOver(disputeId, d.deadline);
        Outcome outcome;
        if (phase == Phase.Vote) {
            outcome = _count(d);
        } else {
            // both moving advances the round, so at most one side moved; silence loses, and the challenger, who opened
            // the dispute, loses when neither moved
            outcome = d.providerMoved ? Outcome.ProviderWon : d.challengerMoved ? Outcome.ChallengerWon : Outcome.ProviderWon;
        }
        d.phase = Phase.Resolved;
        d.outcome = outcome;
        delete _openDispute[d.orderId][d.commitmentIndex];
        // a dispute blocks others on its commitment while open, so each resolution gives others a full window again
        // (a provider's sham challenger cannot run out the clock on an honest one)
        _reopenUntil[d.orderId][d.commitmentIndex] = uint64(block.timestamp) + challengeWindow;
        _openDisputes[d.orderId] -= 1;
        _lastReopenEnd[d.orderId] = uint64(block.timestamp) + challengeWindow; // never earlier than the last one
        uint256 bond = d.bond;
        _bondsHeld -= bond;

        uint256 providerSlashed;
        uint256 challengerSlashed;
        uint256 refunded;
        address bondTo;
        bytes32 reason = bytes32(disputeId);
        if (outcome == Outcome.ProviderWon) {
            challengerSlashed = staking.slash(d.challenger, staking.VALIDATOR(), slashAmount, reason);
            bondTo = d.provider;
        } else if (outcome == Outcome.ChallengerWon) {
            providerSlashed = staking.slash(d.provider, staking.PROVIDER(), slashAmount, reason);
            refunded = market.closeForFault(d.orderId);
            bondTo = d.challenger;
        } else if (outcome == Outcome.BothWrong) {
            providerSlashed = staking.slash(d.provider, staking.PROVIDER(), slashAmount, reason);
            challengerSlashed = staking.slash(d.challenger, staking.VALIDATOR(), slashAmount, reason);
            refunded = market.closeForFault(d.orderId);
            bondTo = staking.slashSink();
        } else {
            bondTo = d.challenger;
        }
        emit Resolved(disputeId, outcome, providerSlashed, challengerSlashed, refunded);
        bondToken.safeTransfer(bondTo, bond);
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// @notice keccak256(0x01 ‖ left ‖ right): an inner node of the state tree.
    function nodeHash(bytes32 left, bytes32 right) public pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore8(p, 1)
            mstore(add(p, 1), left)
            mstore(add(p, 33), right)
            h := keccak256(p, 65)
        }
    }

    /// @notice The step whose root the parties post in the current Bisect round.
    function midStep(uint256 disputeId) public view returns (uint64) {
        Dispute storage d = _disputes[disputeId];
        return d.lo + (d.hi - d.lo) / 2;
    }

    function getDispute(uint256 disputeId) external view returns (Dispute memory) {
        return _disputes[disputeId];
    }

    /// @notice The time up to which the lease's work is beyond dispute, for the market's release of pay: the time of
    /// the newest commitment whose challenge window is over when every earlier one's is too; everything
    /// (`type(uint256).max`) once the lease has closed and its last window is over; 0 while a dispute on the lease is
    /// open or a resolution's reopened window runs (a commitment may be challenged again then). Pay for work after the
    /// last commitment is final only when the lease has closed, a challenge window later.
    function finalUntil(uint256 orderId) external view returns (uint256) {
        // forge-lint: disable-next-line(block-timestamp)
        if (_openDisputes[orderId] != 0 || block.timestamp <= _lastReopenEnd[orderId]) return 0;
        Commitment[] storage list = _commitments[orderId];
        uint256 n = list.length;
        // commitment times never decrease, so the final ones are a prefix: binary search its end
        uint256 lo = 0;
        uint256 hi = n;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            // forge-lint: disable-next-line(block-timestamp)
            if (uint256(list[mid].time) + challengeWindow < block.timestamp) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < n) return lo == 0 ? 0 : list[lo - 1].time;
        ComputeMarket.Order memory o = market.getOrder(orderId);
        // forge-lint: disable-next-line(block-timestamp)
        if (o.state == ComputeMarket.OrderState.Closed && uint256(o.leaseEnd) + challengeWindow < block.timestamp) {
            return type(uint256).max;
        }
        return n == 0 ? 0 : list[n - 1].time;
    }

    /// @notice Disputes of the lease not yet resolved.
    function openDisputes(uint256 orderId) external view returns (uint256) {
        return _openDisputes[orderId];
    }

    function commitmentCount(uint256 orderId) external view returns (uint256) {
        return _commitments[orderId].length;
    }

    function getCommitment(uint256 orderId, uint256 index) external view returns (Commitment memory) {
        return _commitments[orderId][index];
    }

    function treeDepth(uint256 orderId) external view returns (uint8) {
        return _depth[orderId];
    }

    /// @notice The open dispute of a commitment (0: none).
    function openDispute(uint256 orderId, uint256 index) external view returns (uint256) {
        return _openDispute[orderId][index];
    }

    /// @notice The id the next dispute gets.
    function nextDisputeId() external view returns (uint256) {
        return _nextDisputeId;
    }

    /// @notice Bonds of open disputes (this contract's whole HYP balance, unless someone sent it HYP directly).
    function bondsHeld() external view returns (uint256) {
        return _bondsHeld;
    }

    // ----------------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------------

    function _dispute(uint256 disputeId) private view returns (Dispute storage d) {
        d = _disputes[disputeId];
        if (d.phase == Phase.None) revert UnknownDispute(disputeId);
    }

    function _requireVerifier(address who) private view {
        if (staking.stakeOf(who, staking.VALIDATOR()) < minVerifierStake) revert NotVerifier(who);
    }

    function _advance(uint256 disputeId, Dispute storage d) private {
        bytes32 p = d.providerMoveA;
        bytes32 c = d.challengerMoveA;
        if (d.phase == Phase.Bisect) {
            uint64 mid = d.lo + (d.hi - d.lo) / 2;
            if (p == c) {
                d.lo = mid;
                d.agreedRoot = p;
            } else {
                d.hi = mid;
                d.providerHash = p;
                d.challengerHash = c;
            }
            _startPhase(disputeId, d, d.hi - d.lo == 1 ? Phase.Descend : Phase.Bisect);
        } else {
            // the nodes differ, so if the left children agree the right ones differ
            d.level += 1;
            if (p != c) {
                d.nodeIndex = d.nodeIndex * 2;
            } else {
                d.nodeIndex = d.nodeIndex * 2 + 1;
                p = d.providerMoveB;
                c = d.challengerMoveB;
            }
            d.providerHash = p;
            d.challengerHash = c;
            _startPhase(disputeId, d, Phase.Descend);
        }
    }

    /// @dev Enters `phase` (Descend turns into Vote at the leaves) with fresh moves and deadline.
    function _startPhase(uint256 disputeId, Dispute storage d, Phase phase) private {
        d.providerMoved = false;
        d.challengerMoved = false;
        delete d.providerMoveA;
        delete d.providerMoveB;
        delete d.challengerMoveA;
        delete d.challengerMoveB;
        if (phase == Phase.Descend && d.level == d.depth) {
            d.phase = Phase.Vote;
            d.deadline = uint64(block.timestamp) + voteWindow;
            emit VoteOpened(disputeId, d.lo, d.hi, d.agreedRoot, d.nodeIndex, d.deadline);
            return;
        }
        d.phase = phase;
        d.deadline = uint64(block.timestamp) + moveTimeout;
        emit RoundAdvanced(disputeId, phase, d.lo, d.hi, d.level, d.nodeIndex, d.deadline);
    }

    /// @dev The vote's outcome: a side's leaf wins with at least `quorum` votes and more than the other side's and all
    /// third values together; third values (counted together) winning that way means both sides were wrong.
    function _count(Dispute storage d) private view returns (Outcome) {
        uint32 p = d.votesProvider;
        uint32 c = d.votesChallenger;
        uint32 o = d.votesOther;
        if (p >= quorum && p > c && p > o) return Outcome.ProviderWon;
        if (c >= quorum && c > p && c > o) return Outcome.ChallengerWon;
        if (o >= quorum && o > p && o > c) return Outcome.BothWrong;
        return Outcome.Undecided;
    }
}
