// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ZkField} from "./ZkField.sol";

/// @title On-chain verifier of hypha-zk's int8 MLP proofs
/// @notice Checks a proof file exactly as `hypha zk prove` writes it (`MlpProofFile` version 1, unchanged) and replays
/// the Java verifier (`dev.hypha.zk.mlp.MlpVerifier`) step for step: the statement and every prover message go through
/// the same Keccak transcript (`ZkTranscript`'s layout), the matrix products from the logits back to the input, the
/// requantization zero-checks, the bit range checks, and the two batched Ligero openings. It returns what the proof
/// proves — the model id and model root, the input's SHA-256, the logits and the class — and reverts with
/// `Rejected(reason)` naming the first failed check. Whether the model root belongs to the model a caller means is the
/// caller's check (`ProvenPredictionFeed` keeps a registry of model ids and roots).
///
/// One deviation from the Java verifier, for gas: at each Ligero query the two column checks (combined row, evaluation
/// row) are merged into one with a random λ, so the verifier Reed–Solomon-encodes one row instead of two. λ is squeezed
/// from the transcript after both rows and the query indices are fixed (and the columns are bound by the Merkle root
/// committed before), so two checks that do not both hold pass the merged one with probability ≤ 1/p² per query:
/// 2 × 148 queries add < 2^−119 to the soundness error (docs/ZK.md, "On-chain verifier").
contract MlpProofVerifier {
    using ZkField for uint256;

    /// @notice The proof is not valid; the reason names the failed check.
    error Rejected(string reason);

    /// @notice Proof-of-work bits before each opening's queries (`LigeroParams.GRINDING_BITS`, `pcs.Grinding`): the
    /// nonce must make keccak256(state ‖ 0x03 ‖ uint64 nonce) start with this many zero bits.
    uint256 public constant GRINDING_BITS = 16;
    /// @notice Columns opened per Ligero commitment: `LigeroParams.queriesFor(2, 100 − GRINDING_BITS)`, the least t with
    /// (5/8)^t ≤ 2^−84 at rate 1/4; with the 16 bits of work, 2^−100 per hash evaluation (docs/ZK.md, "Grinding").
    uint256 public constant QUERIES = 124;
    uint256 internal constant LOG_INV_RATE = 2;
    uint256 internal constant MAX_LAYERS = 8;
    uint256 internal constant MAX_SIDE = 1 << 14;
    uint256 internal constant MAX_WEIGHTS = 1 << 22;
    uint256 internal constant MAX_SHIFT = 48;
    uint256 internal constant MAX_TABLE_VARS = 24;
    uint256 internal constant MAX_MODEL_ID = 128;
    uint256 internal constant VALUE_SLOT_VARS = 3;
    uint256 internal constant BIT_VARS = 6;
    uint256 internal constant ACC = 0;
    uint256 internal constant OUT = 1;
    uint256 internal constant REM = 2;
    uint256 internal constant EXCESS = 4;

    /// @notice What a valid proof proves.
    struct Result {
        string modelId;
        bytes32 modelRoot;
        bytes32 inputHash;
        int64[] logits;
        uint256 predictedClass;
    }

    struct Layer {
        uint256 inN;
        uint256 outN;
        uint256 inVars;
        uint256 outVars;
        uint256 activation; // 0 logits, 1 relu, 2 none
        uint256 multiplier;
        uint256 shift;
    }

    /// @dev Blocks packed largest first (`circuit.BlockLayout`).
    struct Layout {
        uint256 numVars;
        uint256 used;
        uint256[] vars;
        uint256[] offsets;
    }

    /// @dev Evaluation claims on one committed table (`circuit.ClaimBatch`).
    struct Claims {
        uint256 n;
        uint256[] blocks;
        uint256[][] points;
        uint256[] values;
    }

    /// @dev The transcript state and the read position in the proof.
    struct Cursor {
        bytes32 state;
        uint256 at;
        Claims model;
        Claims witness;
    }

    struct Ligero {
        uint256 numVars;
        uint256 rowVars;
        uint256 rows; // committed rows: the first `rows` of 2^rowVars (the rest are zero padding, never committed)
        uint256 columns;
        uint256 codeLength;
        uint256 depth;
        uint256 cap; // Merkle cap level: the 2^cap nodes this far below the root are sent once (`LigeroParams.capLevel`)
    }

    /// @notice Verifies a proof file; reverts with `Rejected` naming the failed check.
    function verify(bytes calldata proof) external pure returns (Result memory res) {
        Cursor memory c;
        Layer[] memory layers;
        (layers, res) = _readStatement(proof, c);
        _verifyProof(proof, c, layers, res);
    }

    // ---------------------------------------------------------------- statement

    function _readStatement(bytes calldata proof, Cursor memory c)
        internal
        pure
        returns (Layer[] memory layers, Result memory res)
    {
        if (proof.length < 14 || bytes8(proof[0:8]) != bytes8("HYPHA-ZK")) {
            revert Rejected("not a Hypha proof file (it does not start with HYPHA-ZK)");
        }
        if (uint16(bytes2(proof[8:10])) != 3) revert Rejected("proof file version not supported (this verifier reads 3)");
        if (uint8(proof[10]) != 1) revert Rejected("proof kind not supported (1: int8 MLP classification)");
        c.state = keccak256(abi.encodePacked("hypha.zk.transcript.v1", "hypha.zk.mlp.v1"));
        c.at = 13;
        {
            uint256 idLen = uint16(bytes2(proof[11:13]));
            if (idLen == 0 || idLen > MAX_MODEL_ID) revert Rejected("the model id must have 1..128 bytes");
            res.modelId = string(_take(proof, c, idLen));
            _absorbCd(c, "mlp.model-id", proof[13:13 + idLen]);
        }
        res.modelRoot = bytes32(_take(proof, c, 32));
        _absorb(c, "mlp.model-root", abi.encodePacked(res.modelRoot));
        {
            uint256[] memory dims;
            (layers, dims) = _readLayers(proof, c);
            _absorb(c, "mlp.shape", _fieldBytes(dims));
        }
        {
            uint256 inputLen = uint32(bytes4(_take(proof, c, 4)));
            if (inputLen != layers[0].inN) revert Rejected("the input length does not match the model");
            uint256 pixelsAt = c.at;
            _take(proof, c, inputLen);
            res.inputHash = sha256(proof[pixelsAt:c.at]);
            _absorb(c, "mlp.input-hash", abi.encodePacked(res.inputHash));
            _absorbCd(c, "mlp.input", proof[pixelsAt:c.at]);
        }
        uint256 classes = layers[layers.length - 1].outN;
        res.logits = new int64[](classes);
        uint256[] memory logitFields = new uint256[](classes);
        for (uint256 k = 0; k < classes; k++) {
            int64 logit = int64(uint64(bytes8(_take(proof, c, 8))));
            res.logits[k] = logit;
            logitFields[k] = ZkField.fromSigned(logit);
            if (logit > res.logits[res.predictedClass]) res.predictedClass = k;
        }
        _absorb(c, "mlp.logits", _fieldBytes(logitFields));
    }

    /// @dev The layer table: shapes and requantization constants, validated as `MlpShape` and `Int8Mlp.Requant` do.
    function _readLayers(bytes calldata proof, Cursor memory c)
        internal
        pure
        returns (Layer[] memory layers, uint256[] memory dims)
    {
        uint256 count = uint8(_take(proof, c, 1)[0]);
        if (count < 1 || count > MAX_LAYERS) revert Rejected("the model must have 1..8 layers");
        layers = new Layer[](count);
        dims = new uint256[](1 + 5 * count);
        dims[0] = count;
        for (uint256 l = 0; l < count; l++) {
            bytes calldata b = _take(proof, c, 12);
            Layer memory s = layers[l];
            s.inN = uint32(bytes4(b[0:4]));
            s.outN = uint32(bytes4(b[4:8]));
            s.activation = uint8(b[8]);
            s.multiplier = uint16(bytes2(b[9:11]));
            s.shift = uint8(b[11]);
            if (s.inN < 1 || s.outN < 1 || s.inN > MAX_SIDE || s.outN > MAX_SIDE || s.inN * s.outN > MAX_WEIGHTS) {
                revert Rejected("a layer has 1..2^14 inputs and outputs and at most 2^22 weights");
            }
            bool last = l == count - 1;
            if (last != (s.activation == 0)) revert Rejected("only the last layer gives logits (activation 0)");
            if (s.activation > 2) revert Rejected("a layer's activation must be 0 (logits), 1 (relu) or 2 (none)");
            if (last && (s.multiplier != 0 || s.shift != 0)) {
                revert Rejected("the logits layer declares a requantization");
            }
            if (s.multiplier >= 1 << 15 || s.shift > MAX_SHIFT) revert Rejected("requantization out of range");
            if (l > 0 && layers[l - 1].outN != s.inN) revert Rejected("consecutive layers do not fit together");
            s.inVars = _log2Ceil(s.inN);
            s.outVars = _log2Ceil(s.outN);
            dims[1 + 5 * l] = s.inN;
            dims[2 + 5 * l] = s.outN;
            dims[3 + 5 * l] = s.activation;
            dims[4 + 5 * l] = s.multiplier;
            dims[5 + 5 * l] = s.shift;
        }
        if (_modelLayout(layers).numVars > MAX_TABLE_VARS || _witnessLayout(layers).numVars > MAX_TABLE_VARS) {
            revert Rejected("the model's tables exceed 2^24 entries");
        }
    }

    // ---------------------------------------------------------------- proof

    function _verifyProof(bytes calldata proof, Cursor memory c, Layer[] memory layers, Result memory res)
        internal
        pure
    {
        bytes32 witnessRoot = bytes32(_take(proof, c, 32));
        if (proof.length - c.at != _bodySize(layers)) revert Rejected("the proof body has the wrong length for this model");
        _absorb(c, "mlp.witness-root", abi.encodePacked(witnessRoot));
        Layout memory modelLayout = _modelLayout(layers);
        Layout memory witnessLayout = _witnessLayout(layers);
        c.model = _newClaims(2 * layers.length);
        c.witness = _newClaims(12 * layers.length);

        for (uint256 i = layers.length; i > 0; i--) {
            _verifyLayer(proof, c, layers, i - 1, res);
        }
        for (uint256 h = 0; h + 1 < layers.length; h++) {
            _verifyRequant(proof, c, layers[h], h, witnessLayout);
        }
        _verifyBatch(proof, c, modelLayout, c.model, res.modelRoot, "model");
        _verifyBatch(proof, c, witnessLayout, c.witness, witnessRoot, "witness");
    }

    /// @dev One layer's matrix product: ℓ̃(r) (or the committed ã(r)) − b̃(r) = Σ_j W̃(r, j)·x̃(j).
    function _verifyLayer(bytes calldata proof, Cursor memory c, Layer[] memory layers, uint256 l, Result memory res)
        internal
        pure
    {
        Layer memory s = layers[l];
        uint256[] memory r = _challengeExts(c, "mlp.r", s.outVars);
        uint256 bias = _readExt(proof, c);
        _absorb(c, "mlp.bias", _extBytes1(bias));
        _add(c.model, 2 * l + 1, r, bias);
        uint256 output;
        if (s.activation != 0) {
            output = _readExt(proof, c);
            _absorb(c, "mlp.acc", _extBytes1(output));
            _add(c.witness, 2 * l, _concat(_slot(ACC, VALUE_SLOT_VARS), r), output);
        } else {
            uint256[] memory logits = new uint256[](1 << s.outVars);
            for (uint256 k = 0; k < res.logits.length; k++) {
                logits[k] = ZkField.fromSigned(res.logits[k]);
            }
            output = _mleBase(logits, r);
        }
        _layerProduct(proof, c, layers, l, r, output.sub(bias));
    }

    function _layerProduct(
        bytes calldata proof,
        Cursor memory c,
        Layer[] memory layers,
        uint256 l,
        uint256[] memory r,
        uint256 claim
    ) internal pure {
        (uint256[] memory sp, uint256 expected) = _sumcheck(proof, c, layers[l].inVars, 2, claim);
        uint256 weight = _readExt(proof, c);
        uint256 input = l == 0 ? _mleBase(_quantizedInput(proof, layers[0].inVars), sp) : _readExt(proof, c);
        if (weight.mul(input) != expected) revert Rejected("a layer's W(r, s)x(s) does not match its sumcheck");
        _absorb(c, "mlp.weight", _extBytes1(weight));
        _add(c.model, 2 * l, _concat(r, sp), weight);
        if (l > 0) {
            _absorb(c, "mlp.input", _extBytes1(input));
            _add(c.witness, 2 * (l - 1), _concat(_slot(OUT, VALUE_SLOT_VARS), sp), input);
        }
    }

    /// @dev The pixels as the first layer's int8 inputs, q = ⌊(254p + 255)/510⌋, zero-padded to 2^inVars.
    function _quantizedInput(bytes calldata proof, uint256 inVars) internal pure returns (uint256[] memory x) {
        // the pixels sit right after the header's layer table: locate them from the header again
        uint256 idLen = uint16(bytes2(proof[11:13]));
        uint256 count = uint8(proof[13 + idLen + 32]);
        uint256 at = 13 + idLen + 32 + 1 + 12 * count;
        uint256 n = uint32(bytes4(proof[at:at + 4]));
        at += 4;
        x = new uint256[](1 << inVars);
        for (uint256 i = 0; i < n; i++) {
            x[i] = (uint256(uint8(proof[at + i])) * 254 + 255) / 510;
        }
    }

    function _verifyRequant(bytes calldata proof, Cursor memory c, Layer memory s, uint256 h, Layout memory layout)
        internal
        pure
    {
        uint256[] memory tau = _challengeExts(c, "mlp.tau", s.outVars);
        _verifyZeroCheck(proof, c, s, h, tau);
        _verifyRecomposition(proof, c, s, h, tau);
        _verifyBooleanity(proof, c, h, layout.vars[2 * h + 1]);
    }

    /// @dev Σ_o eq(τ, o)·(γ0·C1 + γ1·C2 + γ2·C3)(o) = 0 by a degree-4 sumcheck, then the constraints at its point.
    function _verifyZeroCheck(bytes calldata proof, Cursor memory c, Layer memory s, uint256 h, uint256[] memory tau)
        internal
        pure
    {
        uint256[] memory gamma = _challengeExts(c, "mlp.gamma", 3);
        (uint256[] memory zp, uint256 expected) = _sumcheck(proof, c, s.outVars, 4, 0);
        uint256 valuesAt = c.at;
        uint256[] memory values = _readExts(proof, c, 5);
        uint256 eq = ZkField.eqEval(tau, 0, zp, 0, s.outVars);
        if (eq.mul(_constraints(s, gamma, values)) != expected) {
            revert Rejected("a requantization's constraints do not hold at the zero-check's point");
        }
        _absorbCd(c, "mlp.requant-values", proof[valuesAt:c.at]);
        for (uint256 slot = ACC; slot <= EXCESS; slot++) {
            _add(c.witness, 2 * h, _concat(_slot(slot, VALUE_SLOT_VARS), zp), values[slot]);
        }
    }

    /// @dev γ0·C1 + γ1·C2 + γ2·C3 at values [acc, y, rem, q, e] (`mlp.Constraints.requant`).
    function _constraints(Layer memory s, uint256[] memory gamma, uint256[] memory v) internal pure returns (uint256 sum) {
        uint256 lo = ZkField.ofBase(s.activation == 1 ? 0 : ZkField.fromSigned(-128));
        uint256 hi = ZkField.ofBase(127);
        {
            uint256 rounding = s.shift == 0 ? 0 : ZkField.ofBase(1 << (s.shift - 1));
            // C1: acc·M + 2^(k−1) − rem − 2^k·q
            sum = gamma[0].mul(v[0].mulBase(s.multiplier).add(rounding).sub(v[2]).sub(v[3].mulBase(1 << s.shift)));
        }
        uint256 d = v[3].sub(v[1]);
        // C2: (q − y)(y − lo)(hi − y)
        sum = sum.add(gamma[1].mul(d.mul(v[1].sub(lo)).mul(hi.sub(v[1]))));
        // C3: e·(hi − lo) − (q − y)(2y − lo − hi)
        sum = sum.add(gamma[2].mul(v[4].mul(hi.sub(lo)).sub(d.mul(v[1].add(v[1]).sub(lo.add(hi))))));
    }

    /// @dev Range checks: the bits recompose to rem, y − lo, e.
    function _verifyRecomposition(bytes calldata proof, Cursor memory c, Layer memory s, uint256 h, uint256[] memory tau)
        internal
        pure
    {
        uint256 claim;
        uint256[] memory beta;
        {
            uint256 rangeAt = c.at;
            uint256[] memory rv = _readExts(proof, c, 3);
            _add(c.witness, 2 * h, _concat(_slot(REM, VALUE_SLOT_VARS), tau), rv[0]);
            _add(c.witness, 2 * h, _concat(_slot(OUT, VALUE_SLOT_VARS), tau), rv[1]);
            _add(c.witness, 2 * h, _concat(_slot(EXCESS, VALUE_SLOT_VARS), tau), rv[2]);
            _absorbCd(c, "mlp.range-values", proof[rangeAt:c.at]);
            beta = _challengeExts(c, "mlp.beta", 3);
            uint256 lo = s.activation == 1 ? 0 : ZkField.fromSigned(-128);
            claim = beta[0].mul(rv[0]).add(beta[1].mul(rv[1].sub(ZkField.ofBase(lo)))).add(beta[2].mul(rv[2]));
        }
        (uint256[] memory rp, uint256 expected) = _sumcheck(proof, c, BIT_VARS, 2, claim);
        uint256 bit = _readExt(proof, c);
        if (_recompositionWeightsAt(s, beta, rp).mul(bit) != expected) {
            revert Rejected("a requantization's bits do not recompose to the range-checked values");
        }
        _absorb(c, "mlp.recomposed-bit", _extBytes1(bit));
        _add(c.witness, 2 * h + 1, _concat(tau, rp), bit);
    }

    /// @dev Every committed bit is 0 or 1: Σ_x eq(τ', x)·B(x)(B(x) − 1) = 0 over the bit block.
    function _verifyBooleanity(bytes calldata proof, Cursor memory c, uint256 h, uint256 vars) internal pure {
        uint256[] memory tauBits = _challengeExts(c, "mlp.tau-bits", vars);
        (uint256[] memory bp, uint256 bexp) = _sumcheck(proof, c, vars, 3, 0);
        uint256 b = _readExt(proof, c);
        if (ZkField.eqEval(tauBits, 0, bp, 0, vars).mul(b).mul(b.sub(ZkField.ONE)) != bexp) {
            revert Rejected("a committed bit is not 0 or 1");
        }
        _absorb(c, "mlp.boolean-bit", _extBytes1(b));
        _add(c.witness, 2 * h + 1, bp, b);
    }

    /// @dev Q̃(ζ) = Σ_s β_s·Σ_{j < width_s} 2^j·eq(offset_s + j, ζ) over one neuron's packed 64-bit word: rem at bit 0
    /// (k bits), y − lo after it (7 or 8), e after that (56 − k) (`Constraints.recompositionWeightsAt`).
    function _recompositionWeightsAt(Layer memory s, uint256[] memory beta, uint256[] memory point)
        internal
        pure
        returns (uint256 sum)
    {
        uint256[] memory eqBits = ZkField.eqTable(point, 0, BIT_VARS);
        uint256 w = s.activation == 1 ? 7 : 8;
        uint256[3] memory widths = [s.shift, w, 56 - s.shift];
        uint256[3] memory offsets = [uint256(0), s.shift, s.shift + w];
        for (uint256 slot = 0; slot < 3; slot++) {
            uint256 inner = 0;
            uint256 off = offsets[slot];
            for (uint256 j = 0; j < widths[slot]; j++) {
                inner = inner.add(eqBits[off + j].mulBase(1 << j));
            }
            sum = sum.add(beta[slot].mul(inner));
        }
    }

    // ---------------------------------------------------------------- batching and Ligero

    /// @dev Σ_k c_k·v_k = Σ_x G(x)·f(x), G = Σ_k c_k·eq(p_k, ·): a degree-2 sumcheck to z, then f(z) opened once.
    function _verifyBatch(
        bytes calldata proof,
        Cursor memory c,
        Layout memory layout,
        Claims memory claims,
        bytes32 root,
        string memory what
    ) internal pure {
        uint256[] memory coeff = _challengeExts(c, "batch.coefficients", claims.n);
        uint256 claim = 0;
        for (uint256 k = 0; k < claims.n; k++) {
            claim = claim.add(coeff[k].mul(claims.values[k]));
        }
        (uint256[] memory z, uint256 expected) = _sumcheck(proof, c, layout.numVars, 2, claim);
        uint256 value = _readExt(proof, c);
        if (_batchWeight(layout, claims, coeff, z).mul(value) != expected) {
            revert Rejected(string.concat(what, ": the batched claims do not match the opened value"));
        }
        _absorb(c, "batch.value", _extBytes1(value));
        _verifyOpening(proof, c, _ligero(layout.numVars, layout.used), root, z, value, what);
    }

    /// @dev G(z) = Σ_k c_k·eq(prefix_k ‖ p_k, z).
    function _batchWeight(Layout memory layout, Claims memory claims, uint256[] memory coeff, uint256[] memory z)
        internal
        pure
        returns (uint256 g)
    {
        for (uint256 k = 0; k < claims.n; k++) {
            uint256 b = claims.blocks[k];
            uint256 bv = layout.vars[b];
            uint256 top = layout.numVars - bv;
            uint256 prefix = layout.offsets[b] >> bv;
            // eq over the block's local point times eq over its fixed top coordinates
            uint256 e = ZkField.eqEval(claims.points[k], 0, z, top, bv);
            for (uint256 i = 0; i < top; i++) {
                e = e.mul(((prefix >> (top - 1 - i)) & 1) == 1 ? z[i] : ZkField.ONE.sub(z[i]));
            }
            g = g.add(coeff[k].mul(e));
        }
    }

    /// @dev What the column checks of one opening need.
    struct Opening {
        Ligero p;
        bytes32 root;
        uint256 rowsAt;
        uint256 capAt;
        uint256[] weights;
        uint256[] queries;
        uint256 lambda;
        string what;
    }

    /// @dev A Ligero opening (`pcs.LigeroVerifier`), with the two column checks merged by λ (see the contract notes).
    function _verifyOpening(
        bytes calldata proof,
        Cursor memory c,
        Ligero memory p,
        bytes32 root,
        uint256[] memory z,
        uint256 value,
        string memory what
    ) internal pure {
        Opening memory o;
        o.p = p;
        o.root = root;
        o.what = what;
        o.rowsAt = c.at;
        c.at += 2 * 16 * p.columns;
        if (_evaluationRowValue(proof, o.rowsAt, p, z) != value) {
            revert Rejected(string.concat(what, ": the evaluation row does not give the claimed value"));
        }
        _absorbOpening(c, p, root, z, value);
        o.weights = _challengeExts(c, "pcs.gamma", p.rows);
        _absorbCd(c, "pcs.combined", proof[o.rowsAt:o.rowsAt + 16 * p.columns]);
        _absorbCd(c, "pcs.evaluation", proof[o.rowsAt + 16 * p.columns:o.rowsAt + 32 * p.columns]);
        _checkWork(proof, c, what);
        o.capAt = c.at;
        c.at += 32 << p.cap;
        if (_capRoot(proof, o.capAt, p.cap) != root) {
            revert Rejected(string.concat(what, ": the Merkle cap does not hash to the root"));
        }
        o.queries = _challengeIndices(c, p.codeLength);
        o.lambda = _ext(keccak256(abi.encodePacked(c.state, "hypha.zk.onchain.lambda")));
        _mergeWeights(o.weights, z, p.rowVars, o.lambda);
        _checkQueries(proof, c, o);
    }

    /// @dev The proof-of-work nonce after the rows: keccak256(state ‖ 0x03 ‖ nonce) has GRINDING_BITS leading zeros; then
    /// the nonce is absorbed, so the queries depend on it (`LigeroVerifier`).
    function _checkWork(bytes calldata proof, Cursor memory c, string memory what) internal pure {
        bytes8 nonce = bytes8(proof[c.at:c.at + 8]);
        if (uint256(keccak256(abi.encodePacked(c.state, bytes1(0x03), nonce))) >> (256 - GRINDING_BITS) != 0) {
            revert Rejected(string.concat(what, ": the proof-of-work nonce is not valid"));
        }
        _absorbCd(c, "pcs.pow", proof[c.at:c.at + 8]);
        c.at += 8;
    }

    /// @dev The merged column weights γ + λ·eq(r_rows), in place.
    function _mergeWeights(uint256[] memory weights, uint256[] memory z, uint256 rowVars, uint256 lambda) internal pure {
        uint256[] memory rowWeights = ZkField.eqTable(z, 0, rowVars);
        for (uint256 i = 0; i < weights.length; i++) {
            weights[i] = weights[i].add(lambda.mul(rowWeights[i]));
        }
    }

    /// @dev Every queried column: ⟨γ + λ·eq(r_rows), column⟩ = Enc(u + λ·t)_j, and the column is in the commitment.
    function _checkQueries(bytes calldata proof, Cursor memory c, Opening memory o) internal pure {
        uint256[] memory word = _mergedCodeword(proof, o.rowsAt, o.p, o.lambda);
        for (uint256 q = 0; q < QUERIES; q++) {
            uint256 j = o.queries[q];
            if (_columnCombination(proof, c.at, o.p.rows, o.weights) != ZkField.laneToPacked(word[ZkField.bitReverse(j, o.p.depth)])) {
                revert Rejected(string.concat(o.what, ": query ", _str(q), ": the column disagrees with the encoded rows"));
            }
            uint256 below = o.p.depth - o.p.cap;
            if (_merkleNode(proof, c.at, o.p, j) != bytes32(proof[o.capAt + 32 * (j >> below):o.capAt + 32 * (j >> below) + 32])) {
                revert Rejected(string.concat(o.what, ": query ", _str(q), ": the column is not in the commitment"));
            }
            c.at += 8 * o.p.rows + 32 * below;
        }
    }

    /// @dev ⟨t, eq(r_cols)⟩ for the evaluation row t (whose entries `_mergedCodeword` checks canonical).
    function _evaluationRowValue(bytes calldata proof, uint256 rowsAt, Ligero memory p, uint256[] memory z)
        internal
        pure
        returns (uint256 sum)
    {
        uint256[] memory colWeights = ZkField.eqTable(z, p.rowVars, p.numVars - p.rowVars);
        uint256 evalAt = rowsAt + 16 * p.columns;
        if (evalAt + 16 * p.columns > proof.length) revert Rejected("the proof file ends early");
        uint256 columns = p.columns;
        assembly ("memory-safe") {
            // Σ t_j·w_j with the coefficients reduced once at the end: each coordinate gets 2 products < 2^129 per term,
            // at most 2^24 terms
            let s0 := 0
            let s1 := 0
            let cp := add(proof.offset, evalAt)
            let wp := add(colWeights, 32)
            for { let j := 0 } lt(j, columns) { j := add(j, 1) } {
                let t := shr(128, calldataload(add(cp, shl(4, j))))
                let w := mload(add(wp, shl(5, j)))
                let a0 := shr(64, t)
                let a1 := and(t, 0xFFFFFFFFFFFFFFFF)
                let b0 := shr(64, w)
                let b1 := and(w, 0xFFFFFFFFFFFFFFFF)
                s0 := add(s0, add(mul(a0, b0), mul(7, mul(a1, b1))))
                s1 := add(s1, add(mul(a0, b1), mul(a1, b0)))
            }
            sum := or(shl(64, mod(s0, 0xFFFFFFFF00000001)), mod(s1, 0xFFFFFFFF00000001))
        }
    }

    function _absorbOpening(Cursor memory c, Ligero memory p, bytes32 root, uint256[] memory z, uint256 value)
        internal
        pure
    {
        _absorb(c, "pcs.root", abi.encodePacked(root));
        uint256[] memory shape = new uint256[](6);
        shape[0] = p.numVars;
        shape[1] = p.rowVars;
        shape[2] = LOG_INV_RATE;
        shape[3] = QUERIES;
        shape[4] = p.rows;
        shape[5] = GRINDING_BITS;
        _absorb(c, "pcs.shape", _fieldBytes(shape));
        _absorb(c, "pcs.point", _extBytes(z));
        _absorb(c, "pcs.value", _extBytes1(value));
    }

    /// @dev Enc(u + λ·t): the merged row zero-padded to the code length and transformed (bit-reversed order).
    /// Checks that every entry of both rows is canonical.
    function _mergedCodeword(bytes calldata proof, uint256 rowsAt, Ligero memory p, uint256 lambda)
        internal
        pure
        returns (uint256[] memory word)
    {
        word = new uint256[](p.codeLength);
        uint256 columns = p.columns;
        bool canonical = true;
        assembly ("memory-safe") {
            let cp := add(proof.offset, rowsAt)
            let ep := add(cp, shl(4, columns))
            let wp := add(word, 32)
            let l0 := shr(64, lambda)
            let l1 := and(lambda, 0xFFFFFFFFFFFFFFFF)
            for { let j := 0 } lt(j, columns) { j := add(j, 1) } {
                let u := shr(128, calldataload(add(cp, shl(4, j))))
                let t := shr(128, calldataload(add(ep, shl(4, j))))
                let u0 := shr(64, u)
                let u1 := and(u, 0xFFFFFFFFFFFFFFFF)
                let t0 := shr(64, t)
                let t1 := and(t, 0xFFFFFFFFFFFFFFFF)
                canonical := and(
                    canonical,
                    and(
                        and(lt(u0, 0xFFFFFFFF00000001), lt(u1, 0xFFFFFFFF00000001)),
                        and(lt(t0, 0xFFFFFFFF00000001), lt(t1, 0xFFFFFFFF00000001))
                    )
                )
                // u + λ·t
                let m0 := mod(add(u0, add(mul(l0, t0), mul(7, mul(l1, t1)))), 0xFFFFFFFF00000001)
                let m1 := mod(add(u1, add(mul(l0, t1), mul(l1, t0))), 0xFFFFFFFF00000001)
                mstore(add(wp, shl(5, j)), or(shl(128, m0), m1))
            }
        }
        if (!canonical) revert Rejected("a row entry of an opening is not a canonical field element");
        ZkField.nttLanes(word, columns);
    }

    /// @dev ⟨weights, column⟩ for the column at `at` (rows base-field entries, 8 bytes each), checked canonical.
    function _columnCombination(bytes calldata proof, uint256 at, uint256 rows, uint256[] memory weights)
        internal
        pure
        returns (uint256)
    {
        if (at + 8 * rows > proof.length) revert Rejected("the proof file ends early");
        uint256 acc0;
        uint256 acc1;
        bool canonical = true;
        assembly ("memory-safe") {
            // Σ col_i·w_i without reduction: each product < 2^128 and at most 2^24 of them, so no overflow. Four
            // entries per calldata word (this loop is a third of the verification's gas): x ≥ p is caught by
            // collecting gt(x, p − 1) into `bad`.
            let mask := 0xFFFFFFFFFFFFFFFF
            let pm1 := 0xFFFFFFFF00000000
            let bad := 0
            let wp := add(weights, 32)
            let cp := add(proof.offset, at)
            let groupsEnd := add(cp, shl(3, and(rows, not(3))))
            for {} lt(cp, groupsEnd) { cp := add(cp, 32) } {
                let word := calldataload(cp)
                let x := shr(192, word)
                bad := or(bad, gt(x, pm1))
                let w := mload(wp)
                acc0 := add(acc0, mul(x, shr(64, w)))
                acc1 := add(acc1, mul(x, and(w, mask)))
                x := and(shr(128, word), mask)
                bad := or(bad, gt(x, pm1))
                w := mload(add(wp, 32))
                acc0 := add(acc0, mul(x, shr(64, w)))
                acc1 := add(acc1, mul(x, and(w, mask)))
                x := and(shr(64, word), mask)
                bad := or(bad, gt(x, pm1))
                w := mload(add(wp, 64))
                acc0 := add(acc0, mul(x, shr(64, w)))
                acc1 := add(acc1, mul(x, and(w, mask)))
                x := and(word, mask)
                bad := or(bad, gt(x, pm1))
                w := mload(add(wp, 96))
                acc0 := add(acc0, mul(x, shr(64, w)))
                acc1 := add(acc1, mul(x, and(w, mask)))
                wp := add(wp, 128)
            }
            let end := add(add(proof.offset, at), shl(3, rows))
            for {} lt(cp, end) { cp := add(cp, 8) } {
                let x := shr(192, calldataload(cp))
                bad := or(bad, gt(x, pm1))
                let w := mload(wp)
                acc0 := add(acc0, mul(x, shr(64, w)))
                acc1 := add(acc1, mul(x, and(w, mask)))
                wp := add(wp, 32)
            }
            canonical := iszero(bad)
        }
        if (!canonical) revert Rejected("an opened column entry is not a canonical field element");
        return ((acc0 % ZkField.P) << 64) | (acc1 % ZkField.P);
    }

    /// @dev The root the column at `at` and its path give for leaf index j.
    /// Assembly hashing in scratch memory past the free pointer: Solidity's abi.encodePacked would allocate 3–70 words
    /// per hash that are never freed, and memory's quadratic price made that a large part of the verification's gas.
    /// @dev The root over the 2^capLevel cap nodes at `at` (`MerkleTree.rootOfCap`), hashed level by level in scratch
    /// memory past the free pointer.
    function _capRoot(bytes calldata proof, uint256 at, uint256 capLevel) internal pure returns (bytes32 h) {
        uint256 n = 1 << capLevel;
        if (at + 32 * n > proof.length) revert Rejected("the proof file ends early");
        assembly ("memory-safe") {
            let level := add(mload(0x40), 96)
            calldatacopy(level, add(proof.offset, at), shl(5, n))
            let scratch := mload(0x40)
            mstore8(scratch, 1)
            for {} gt(n, 1) { n := shr(1, n) } {
                for { let i := 0 } lt(i, shr(1, n)) { i := add(i, 1) } {
                    mstore(add(scratch, 1), mload(add(level, shl(6, i))))
                    mstore(add(scratch, 33), mload(add(level, add(shl(6, i), 32))))
                    mstore(add(level, shl(5, i)), keccak256(scratch, 65))
                }
            }
            h := mload(level)
        }
    }

    /// @dev The cap node above the queried column j: its leaf hashed up depth − cap levels along the path.
    function _merkleNode(bytes calldata proof, uint256 at, Ligero memory p, uint256 j) internal pure returns (bytes32 h) {
        uint256 leafBytes = 8 * p.rows;
        uint256 depth = p.depth - p.cap;
        if (at + leafBytes + 32 * depth > proof.length) revert Rejected("the proof file ends early");
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            // leaf = keccak(0x00 ‖ column)
            mstore8(ptr, 0)
            calldatacopy(add(ptr, 1), add(proof.offset, at), leafBytes)
            h := keccak256(ptr, add(leafBytes, 1))
            // node = keccak(0x01 ‖ left ‖ right)
            mstore8(ptr, 1)
            let path := add(add(proof.offset, at), leafBytes)
            for { let k := 0 } lt(k, depth) { k := add(k, 1) } {
                let sibling := calldataload(add(path, shl(5, k)))
                switch and(j, 1)
                case 0 {
                    mstore(add(ptr, 1), h)
                    mstore(add(ptr, 33), sibling)
                }
                default {
                    mstore(add(ptr, 1), sibling)
                    mstore(add(ptr, 33), h)
                }
                h := keccak256(ptr, 65)
                j := shr(1, j)
            }
        }
    }

    // ---------------------------------------------------------------- sumcheck

    /// @dev `sumcheck.SumcheckVerifier.verify`: returns the challenge point and the final claim.
    function _sumcheck(bytes calldata proof, Cursor memory c, uint256 vars, uint256 degree, uint256 claim)
        internal
        pure
        returns (uint256[] memory point, uint256 current)
    {
        {
            uint256[] memory shape = new uint256[](2);
            shape[0] = vars;
            shape[1] = degree;
            _absorb(c, "sumcheck.shape", _fieldBytes(shape));
            _absorb(c, "sumcheck.claim", _extBytes1(claim));
        }
        point = new uint256[](vars);
        current = claim;
        uint256[] memory h = new uint256[](degree + 1);
        for (uint256 i = 0; i < vars; i++) {
            uint256 start = c.at;
            for (uint256 t = 0; t <= degree; t++) {
                h[t] = _readExt(proof, c);
            }
            if (h[0].add(h[1]) != current) revert Rejected("a sumcheck round's h(0) + h(1) does not equal the claim");
            _absorbCd(c, "sumcheck.round", proof[start:c.at]);
            point[i] = _challengeExt(c, "sumcheck.challenge");
            current = _interpolate(h, point[i]);
        }
    }

    /// @dev The polynomial through (0, h0), …, (d, hd) at r (Lagrange, with the denominators' inverses precomputed).
    function _interpolate(uint256[] memory h, uint256 r) internal pure returns (uint256 result) {
        uint256 len = h.length;
        for (uint256 i = 0; i < len; i++) {
            uint256 term = h[i];
            for (uint256 j = 0; j < len; j++) {
                if (j != i) term = term.mul(r.sub(ZkField.ofBase(j)));
            }
            result = result.add(term.mulBase(_inverseDenominator(len, i)));
        }
    }

    /// @dev 1 / Π_{j≠i}(i − j) mod p for points 0..len−1 (computed once offline, checked by the forge test).
    function _inverseDenominator(uint256 len, uint256 i) internal pure returns (uint256) {
        if (len == 2) return i == 0 ? 0xffffffff00000000 : 1;
        if (len == 3) return i == 1 ? 0xffffffff00000000 : 0x7fffffff80000001;
        if (len == 4) {
            if (i == 0) return 0x2aaaaaaa80000000;
            if (i == 1) return 0x7fffffff80000001;
            if (i == 2) return 0x7fffffff80000000;
            return 0xd555555480000001;
        }
        if (i == 0 || i == 4) return 0xf555555460000001;
        if (i == 2) return 0xbfffffff40000001;
        return 0x2aaaaaaa80000000;
    }

    // ---------------------------------------------------------------- shapes

    function _modelLayout(Layer[] memory layers) internal pure returns (Layout memory) {
        uint256[] memory vars = new uint256[](2 * layers.length);
        for (uint256 l = 0; l < layers.length; l++) {
            vars[2 * l] = layers[l].outVars + layers[l].inVars;
            vars[2 * l + 1] = layers[l].outVars;
        }
        return _layout(vars);
    }

    function _witnessLayout(Layer[] memory layers) internal pure returns (Layout memory) {
        uint256 hidden = layers.length - 1;
        if (hidden == 0) return _layout(new uint256[](1));
        uint256[] memory vars = new uint256[](2 * hidden);
        for (uint256 h = 0; h < hidden; h++) {
            vars[2 * h] = VALUE_SLOT_VARS + layers[h].outVars;
            vars[2 * h + 1] = layers[h].outVars + BIT_VARS;
        }
        return _layout(vars);
    }

    /// @dev Largest block first, ties in index order, at consecutive offsets (`BlockLayout`).
    function _layout(uint256[] memory vars) internal pure returns (Layout memory out) {
        out.vars = vars;
        out.offsets = new uint256[](vars.length);
        bool[] memory placed = new bool[](vars.length);
        uint256 next = 0;
        for (uint256 n = 0; n < vars.length; n++) {
            uint256 best = type(uint256).max;
            for (uint256 i = 0; i < vars.length; i++) {
                if (!placed[i] && (best == type(uint256).max || vars[i] > vars[best])) best = i;
            }
            placed[best] = true;
            out.offsets[best] = next;
            next += 1 << vars[best];
        }
        while ((1 << out.numVars) < next) out.numVars++;
        out.used = next;
    }

    /// @dev `LigeroParams.forTable(n, used, 2)`: the row split with the least `evmCost`, the first on a tie, and only
    /// the rows that hold the table's used entries committed.
    function _ligero(uint256 numVars, uint256 used) internal pure returns (Ligero memory p) {
        uint256 bestCost = type(uint256).max;
        for (uint256 a = 0; a <= numVars; a++) {
            uint256 columns = 1 << (numVars - a);
            uint256 rows = (used + columns - 1) / columns;
            uint256 depth = numVars - a + LOG_INV_RATE;
            uint256 cost = columns * (512 + (60 << LOG_INV_RATE) * depth) + QUERIES * (rows * 150 + depth * 600);
            if (cost < bestCost) {
                bestCost = cost;
                p.rowVars = a;
                p.rows = rows;
            }
        }
        p.numVars = numVars;
        p.columns = 1 << (numVars - p.rowVars);
        p.codeLength = p.columns << LOG_INV_RATE;
        p.depth = numVars - p.rowVars + LOG_INV_RATE;
        // ⌈log2 QUERIES⌉, or the whole leaf layer of a smaller tree
        uint256 capLevel = 0;
        while ((1 << capLevel) < QUERIES) capLevel++;
        p.cap = capLevel < p.depth ? capLevel : p.depth;
    }

    function _openingBytes(Ligero memory p) internal pure returns (uint256) {
        return 2 * p.columns * 16 + 8 + (32 << p.cap) + QUERIES * (p.rows * 8 + (p.depth - p.cap) * 32);
    }

    /// @dev `MlpProofFile.bodySize`: the exact length after the witness root.
    function _bodySize(Layer[] memory layers) internal pure returns (uint256 size) {
        uint256 count = layers.length;
        for (uint256 l = 0; l < count; l++) {
            Layer memory s = layers[l];
            size += 16 * (2 + (s.activation != 0 ? 1 : 0) + (l > 0 ? 1 : 0)) + s.inVars * 3 * 16;
        }
        Layout memory witness = _witnessLayout(layers);
        for (uint256 h = 0; h + 1 < count; h++) {
            uint256 n = layers[h].outVars;
            size += n * 5 * 16 + 16 * 8 + BIT_VARS * 3 * 16 + 16 + witness.vars[2 * h + 1] * 4 * 16 + 16;
        }
        Layout memory model = _modelLayout(layers);
        size += model.numVars * 3 * 16 + 16 + _openingBytes(_ligero(model.numVars, model.used));
        size += witness.numVars * 3 * 16 + 16 + _openingBytes(_ligero(witness.numVars, witness.used));
    }

    // ---------------------------------------------------------------- small helpers

    function _newClaims(uint256 cap) internal pure returns (Claims memory cl) {
        cl.blocks = new uint256[](cap);
        cl.points = new uint256[][](cap);
        cl.values = new uint256[](cap);
    }

    function _add(Claims memory cl, uint256 block_, uint256[] memory point, uint256 value) internal pure {
        cl.blocks[cl.n] = block_;
        cl.points[cl.n] = point;
        cl.values[cl.n] = value;
        cl.n++;
    }

    /// @dev The 0/1 coordinates of `index` in `vars` variables, most significant first, as extension elements.
    function _slot(uint256 index, uint256 vars) internal pure returns (uint256[] memory p) {
        p = new uint256[](vars);
        for (uint256 i = 0; i < vars; i++) {
            p[i] = ((index >> (vars - 1 - i)) & 1) == 1 ? ZkField.ONE : 0;
        }
    }

    function _concat(uint256[] memory a, uint256[] memory b) internal pure returns (uint256[] memory out) {
        out = new uint256[](a.length + b.length);
        for (uint256 i = 0; i < a.length; i++) out[i] = a[i];
        for (uint256 i = 0; i < b.length; i++) out[a.length + i] = b[i];
    }

    /// @dev The multilinear extension of base-field values (2^point.length of them) at an extension point.
    function _mleBase(uint256[] memory values, uint256[] memory point) internal pure returns (uint256 sum) {
        uint256[] memory eq = ZkField.eqTable(point, 0, point.length);
        for (uint256 i = 0; i < values.length; i++) {
            if (values[i] != 0) sum = sum.add(eq[i].mulBase(values[i]));
        }
    }

    function _take(bytes calldata proof, Cursor memory c, uint256 n) internal pure returns (bytes calldata out) {
        if (c.at + n > proof.length) revert Rejected("the proof file ends early");
        out = proof[c.at:c.at + n];
        c.at += n;
    }

    function _readExts(bytes calldata proof, Cursor memory c, uint256 n) internal pure returns (uint256[] memory v) {
        v = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            v[i] = _readExt(proof, c);
        }
    }

    function _readExt(bytes calldata proof, Cursor memory c) internal pure returns (uint256 v) {
        v = _extAt(proof, c.at);
        c.at += 16;
    }

    function _extAt(bytes calldata proof, uint256 at) internal pure returns (uint256 v) {
        v = uint128(bytes16(proof[at:at + 16]));
        if ((v >> 64) >= ZkField.P || (v & ZkField.MASK) >= ZkField.P) {
            revert Rejected("a proof value is not a canonical field element");
        }
    }

    // The transcript hashes in scratch memory past the free pointer (see `_merkleNode`): state ‖ tag ‖ uint32 label
    // length ‖ label [‖ uint32 data length ‖ data], as `ZkTranscript` and Java's `Transcript` lay it out.

    function _absorb(Cursor memory c, string memory label, bytes memory data) internal pure {
        bytes32 s = c.state;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let q := _head(ptr, s, 1, label)
            let len := mload(data)
            mstore(q, shl(224, len))
            mcopy(add(q, 4), add(data, 32), len)
            s := keccak256(ptr, sub(add(add(q, 4), len), ptr))

            function _head(at, state, tag, lab) -> next {
                let ll := mload(lab)
                mstore(at, state)
                mstore8(add(at, 32), tag)
                mstore(add(at, 33), shl(224, ll))
                mcopy(add(at, 37), add(lab, 32), ll)
                next := add(add(at, 37), ll)
            }
        }
        c.state = s;
    }

    function _absorbCd(Cursor memory c, string memory label, bytes calldata data) internal pure {
        bytes32 s = c.state;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let ll := mload(label)
            mstore(ptr, s)
            mstore8(add(ptr, 32), 1)
            mstore(add(ptr, 33), shl(224, ll))
            mcopy(add(ptr, 37), add(label, 32), ll)
            let q := add(add(ptr, 37), ll)
            mstore(q, shl(224, data.length))
            calldatacopy(add(q, 4), data.offset, data.length)
            s := keccak256(ptr, sub(add(add(q, 4), data.length), ptr))
        }
        c.state = s;
    }

    function _squeeze(Cursor memory c, string memory label) internal pure returns (bytes32) {
        bytes32 s = c.state;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let ll := mload(label)
            mstore(ptr, s)
            mstore8(add(ptr, 32), 2)
            mstore(add(ptr, 33), shl(224, ll))
            mcopy(add(ptr, 37), add(label, 32), ll)
            s := keccak256(ptr, add(37, ll))
        }
        c.state = s;
        return s;
    }

    /// @dev Each 128-bit half of a 32-byte value reduced modulo p (`Transcript.challengeExt`).
    function _ext(bytes32 h) internal pure returns (uint256) {
        uint256 w = uint256(h);
        return (((w >> 128) % ZkField.P) << 64) | (uint256(uint128(w)) % ZkField.P);
    }

    function _challengeExt(Cursor memory c, string memory label) internal pure returns (uint256) {
        return _ext(_squeeze(c, label));
    }

    function _challengeExts(Cursor memory c, string memory label, uint256 n) internal pure returns (uint256[] memory out) {
        out = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            out[i] = _challengeExt(c, label);
        }
    }

    /// @dev QUERIES indices below a power of two: the low bits of the 64-bit words of each squeeze.
    function _challengeIndices(Cursor memory c, uint256 domain) internal pure returns (uint256[] memory out) {
        out = new uint256[](QUERIES);
        uint256 word;
        for (uint256 i = 0; i < QUERIES; i++) {
            if (i % 4 == 0) word = uint256(_squeeze(c, "pcs.queries"));
            out[i] = (word >> (64 * (3 - (i % 4)))) & (domain - 1);
        }
    }

    function _fieldBytes(uint256[] memory v) internal pure returns (bytes memory out) {
        out = new bytes(8 * v.length);
        for (uint256 i = 0; i < v.length; i++) {
            uint256 x = v[i];
            assembly ("memory-safe") {
                let p := add(add(out, 32), mul(8, i))
                mstore(p, or(shl(192, x), and(mload(p), 0xffffffffffffffffffffffffffffffffffffffffffffffff)))
            }
        }
    }

    function _extBytes1(uint256 e) internal pure returns (bytes memory) {
        return abi.encodePacked(uint128(e));
    }

    function _extBytes(uint256[] memory v) internal pure returns (bytes memory out) {
        out = new bytes(16 * v.length);
        for (uint256 i = 0; i < v.length; i++) {
            uint256 x = v[i];
            assembly ("memory-safe") {
                let p := add(add(out, 32), mul(16, i))
                mstore(p, or(shl(128, x), and(mload(p), 0xffffffffffffffffffffffffffffffff)))
            }
        }
    }

    function _log2Ceil(uint256 n) internal pure returns (uint256 v) {
        while ((1 << v) < n) v++;
    }

    function _str(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        bytes memory b;
        while (v > 0) {
            b = abi.encodePacked(bytes1(uint8(48 + v % 10)), b);
            v /= 10;
        }
        return string(b);
    }
}
