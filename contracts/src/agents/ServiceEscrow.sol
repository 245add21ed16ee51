// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title ServiceEscrow
/// @notice Service agreements between a client and a provider (an agent): the client escrows the whole price,
/// split into milestones with deadlines. The provider submits each milestone's deliverable (a hash) before its
/// deadline; the client releases it by accepting, or, when the agreement names a validator, the validator rules
/// (any split between provider and client, e.g. after replaying the work deterministically). A milestone not
/// submitted by its deadline, or submitted but neither accepted nor ruled on within the review period after the
/// deadline, is refunded to the client (anyone may trigger it). The provider may always give a milestone back.
/// @dev No owner, no admin, no upgrade. Money leaves only as: provider payment on the client's acceptance or the
/// validator's ruling; refund to the client on timeout, by the provider's choice, or the client's share of a ruling.
/// Each milestone settles exactly once. Tokens that deliver less than asked (fee on transfer) are refused.
contract ServiceEscrow is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Where a milestone stands.
    enum Status {
        None,
        Pending,
        Submitted,
        Accepted,
        Ruled,
        Refunded
    }

    /// @notice An agreement's fixed terms and running totals.
    struct Agreement {
        address client;
        address provider;
        address validator;
        IERC20 token;
        uint64 reviewPeriod;
        uint32 milestoneCount;
        uint128 total;
        uint128 paidToProvider;
        uint128 refundedToClient;
        bytes32 termsHash;
    }

    /// @notice One milestone.
    struct Milestone {
        uint128 amount;
        uint64 deadline;
        Status status;
        bytes32 deliverableHash;
    }

    /// @notice Most milestones per agreement (bounds the work of creating one).
    uint256 public constant MAX_MILESTONES = 32;
    /// @notice Longest review period after a deadline.
    uint64 public constant MAX_REVIEW_PERIOD = 90 days;
    /// @notice Farthest deadline from creation.
    uint64 public constant MAX_DEADLINE = 730 days;
    /// @notice Basis points of a whole (a ruling's provider share is out of this).
    uint16 public constant BPS = 10_000;

    /// @notice Number of agreements created; ids are 1..agreementCount.
    uint256 public agreementCount;
    mapping(uint256 id => Agreement) private _agreements;
    mapping(uint256 id => mapping(uint256 index => Milestone)) private _milestones;

    /// @notice An agreement was created and `total` escrowed.
    event AgreementCreated(
        uint256 indexed id,
        address indexed client,
        address indexed provider,
        address validator,
        address token,
        uint256 total,
        uint64 reviewPeriod,
        bytes32 termsHash
    );
    /// @notice Milestone `index` of `id` is worth `amount` and due by `deadline`.
    event MilestoneAdded(uint256 indexed id, uint256 indexed index, uint256 amount, uint64 deadline);
    /// @notice The provider submitted a milestone's deliverable.
    event MilestoneSubmitted(uint256 indexed id, uint256 indexed index, bytes32 deliverableHash);
    /// @notice The client accepted; `amount` went to the provider.
    event MilestoneAccepted(uint256 indexed id, uint256 indexed index, uint256 amount);
    /// @notice The validator ruled: `toProvider` and `toClient` paid out, with evidence `evidenceHash`.
    event MilestoneRuled(
        uint256 indexed id, uint256 indexed index, uint16 providerBps, uint256 toProvider, uint256 toClient, bytes32 evidenceHash
    );
    /// @notice `amount` went back to the client (`byProvider`: the provider gave it back; else a timeout).
    event MilestoneRefunded(uint256 indexed id, uint256 indexed index, uint256 amount, bool byProvider);

    /// @notice Bad terms: zero address, client = provider, validator is a party, no or too many milestones, a zero
    /// amount, a deadline in the past or too far, a review period too long, lengths that differ.
    error InvalidTerms();
    /// @notice No such agreement or milestone.
    error UnknownMilestone(uint256 id, uint256 index);
    /// @notice The caller is not the party this step belongs to.
    error NotParty(address caller, address expected);
    /// @notice The milestone is in `status`, not the one this step needs.
    error WrongStatus(Status status);
    /// @notice Too late: the deadline (or deadline + review period) was `limit`.
    error TooLate(uint256 limit);
    /// @notice Too early: nothing can time out before `limit`.
    error TooEarly(uint256 limit);
    /// @notice The ruling's provider share is above BPS.
    error InvalidShare(uint16 providerBps);
    /// @notice The token delivered `received` instead of `expected`.
    error UnsupportedToken(uint256 received, uint256 expected);

    /// @notice Creates an agreement and escrows the sum of `amounts` from the caller (the client), who must have
    /// approved it.
    /// @param provider who is paid for each milestone
    /// @param validator who may rule on submitted milestones (address(0): acceptance only)
    /// @param token a plain ERC-20 (no fee on transfer)
    /// @param amounts each milestone's price
    /// @param deadlines each milestone's due time (unix seconds)
    /// @param reviewPeriod seconds after a submitted milestone's deadline for acceptance or ruling
    /// @param termsHash hash of the off-chain terms (service, inputs, acceptance criteria)
    function create(
        address provider,
        address validator,
        IERC20 token,
        uint128[] calldata amounts,
        uint64[] calldata deadlines,
        uint64 reviewPeriod,
        bytes32 termsHash
    ) external nonReentrant returns (uint256 id) {
        uint256 n = amounts.length;
        if (
            provider == address(0) || address(token) == address(0) || provider == msg.sender
                || validator == msg.sender || validator == provider || n == 0 || n > MAX_MILESTONES
                || n != deadlines.length || reviewPeriod > MAX_REVIEW_PERIOD
        ) revert InvalidTerms();
        id = ++agreementCount;
        uint256 total;
        for (uint256 i; i < n; ++i) {
            uint64 deadline = deadlines[i];
            // forge-lint: disable-next-line(block-timestamp)
            if (amounts[i] == 0 || deadline <= block.timestamp || deadline > block.timestamp + MAX_DEADLINE) {
                revert InvalidTerms();
            }
            total += amounts[i];
            _milestones[id][i] = Milestone({amount: amounts[i], deadline: deadline, status: Status.Pending, deliverableHash: 0});
            emit MilestoneAdded(id, i, amounts[i], deadline);
        }
        if (total > type(uint128).max) revert InvalidTerms();
        _agreements[id] = Agreement({
            client: msg.sender,
            provider: provider,
            validator: validator,
            token: token,
            reviewPeriod: reviewPeriod,
            // Safe: n <= MAX_MILESTONES.
            // forge-lint: disable-next-line(unsafe-typecast)
            milestoneCount: uint32(n),
            // Safe: total <= type(uint128).max, checked above.
            // forge-lint: disable-next-line(unsafe-typecast)
            total: uint128(total),
            paidToProvider: 0,
            refundedToClient: 0,
            termsHash: termsHash
        });
        emit AgreementCreated(id, msg.sender, provider, validator, address(token), total, reviewPeriod, termsHash);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), total);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != total) revert UnsupportedToken(received, total);
    }

    /// @notice The provider submits a milestone's deliverable, strictly before its deadline.
    function submit(uint256 id, uint256 index, bytes32 deliverableHash) external {
        (Agreement storage a, Milestone storage m) = _milestone(id, index);
        if (msg.sender != a.provider) revert NotParty(msg.sender, a.provider);
        if (m.status != Status.Pending) revert WrongStatus(m.status);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= m.deadline) revert TooLate(m.deadline);
        m.status = Status.Submitted;
        m.deliverableHash = deliverableHash;
        emit MilestoneSubmitted(id, index, deliverableHash);
    }

    /// @notice The client accepts a milestone (submitted or not, before it timed out) and pays the provider.
    function accept(uint256 id, uint256 index) external nonReentrant {
        (Agreement storage a, Milestone storage m) = _milestone(id, index);
        if (msg.sender != a.client) revert NotParty(msg.sender, a.client);
        if (m.status != Status.Pending && m.status != Status.Submitted) revert WrongStatus(m.status);
        uint256 limit = _refundableFrom(a, m);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= limit) revert TooLate(limit);
        m.status = Status.Accepted;
        uint128 amount = m.amount;
        a.paidToProvider += amount;
        emit MilestoneAccepted(id, index, amount);
        a.token.safeTransfer(a.provider, amount);
    }

    /// @notice The validator rules on a submitted milestone before it times out: `providerBps` of it to the
    /// provider (rounded down), the rest back to the client.
    function rule(uint256 id, uint256 index, uint16 providerBps, bytes32 evidenceHash) external nonReentrant {
        (Agreement storage a, Milestone storage m) = _milestone(id, index);
        if (a.validator == address(0) || msg.sender != a.validator) revert NotParty(msg.sender, a.validator);
        if (m.status != Status.Submitted) revert WrongStatus(m.status);
        if (providerBps > BPS) revert InvalidShare(providerBps);
        uint256 limit = uint256(m.deadline) + a.reviewPeriod;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp >= limit) revert TooLate(limit);
        m.status = Status.Ruled;
        uint128 amount = m.amount;
        uint128 toProvider = uint128(uint256(amount) * providerBps / BPS);
        uint128 toClient = amount - toProvider;
        a.paidToProvider += toProvider;
        a.refundedToClient += toClient;
        emit MilestoneRuled(id, index, providerBps, toProvider, toClient, evidenceHash);
        if (toProvider != 0) a.token.safeTransfer(a.provider, toProvider);
        if (toClient != 0) a.token.safeTransfer(a.client, toClient);
    }

    /// @notice Refunds a milestone that timed out (anyone may call): unsubmitted at its deadline, or submitted and
    /// neither accepted nor ruled on by deadline + review period.
    function refund(uint256 id, uint256 index) external nonReentrant {
        (Agreement storage a, Milestone storage m) = _milestone(id, index);
        if (m.status != Status.Pending && m.status != Status.Submitted) revert WrongStatus(m.status);
        uint256 limit = _refundableFrom(a, m);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < limit) revert TooEarly(limit);
        _refund(id, index, a, m, false);
    }

    /// @notice The provider gives an open milestone back to the client at any time.
    function giveBack(uint256 id, uint256 index) external nonReentrant {
        (Agreement storage a, Milestone storage m) = _milestone(id, index);
        if (msg.sender != a.provider) revert NotParty(msg.sender, a.provider);
        if (m.status != Status.Pending && m.status != Status.Submitted) revert WrongStatus(m.status);
        _refund(id, index, a, m, true);
    }

    function _refund(uint256 id, uint256 index, Agreement storage a, Milestone storage m, bool byProvider) private {
        m.status = Status.Refunded;
        uint128 amount = m.amount;
        a.refundedToClient += amount;
        emit MilestoneRefunded(id, index, amount, byProvider);
        a.token.safeTransfer(a.client, amount);
    }

    /// @dev Pending milestones time out at their deadline; submitted ones a review period later.
    function _refundableFrom(Agreement storage a, Milestone storage m) private view returns (uint256) {
        return m.status == Status.Submitted ? uint256(m.deadline) + a.reviewPeriod : m.deadline;
    }

    function _milestone(uint256 id, uint256 index) private view returns (Agreement storage a, Milestone storage m) {
        a = _agreements[id];
        if (a.client == address(0) || index >= a.milestoneCount) revert UnknownMilestone(id, index);
        m = _milestones[id][index];
    }

    /// @notice An agreement's terms and totals.
    function agreement(uint256 id) external view returns (Agreement memory) {
        return _agreements[id];
    }

    /// @notice One milestone.
    function milestone(uint256 id, uint256 index) external view returns (Milestone memory) {
        return _milestones[id][index];
    }

    /// @notice What the escrow still holds for an agreement.
    function held(uint256 id) external view returns (uint256) {
        Agreement storage a = _agreements[id];
        return uint256(a.total) - a.paidToProvider - a.refundedToClient;
    }
}
