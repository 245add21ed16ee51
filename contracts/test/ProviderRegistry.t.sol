// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {
    IAccessControlDefaultAdminRules
} from "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {HyphaTest} from "./utils/HyphaTest.sol";
import {HyphaToken} from "../src/HyphaToken.sol";
import {Staking} from "../src/Staking.sol";
import {ProviderRegistry} from "../src/ProviderRegistry.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract ProviderRegistryTest is HyphaTest {
    uint256 internal constant MIN_STAKE = 1_000 ether;
    string internal constant ENDPOINT = "https://provider.example:8443";
    /// @dev Service ids are the service name as a left-aligned, zero-padded bytes32.
    bytes32 internal constant INFERENCE = "inference";
    bytes32 internal constant TRAINING = "training";
    string internal constant CID = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";

    HyphaToken internal hyp;
    Staking internal staking;
    ProviderRegistry internal registry;
    address internal admin;
    address internal slasher;
    address internal alice;
    address internal bob;
    address internal signer;
    uint256 internal signerKey;
    bytes32 internal providerRole;
    /// @dev Private keys of the labelled signing keys, so tests can sign their proofs of possession.
    mapping(address => uint256) internal keyOf;

    function setUp() public {
        admin = makeAddr("admin");
        slasher = makeAddr("slasher");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        (signer, signerKey) = makeAccount("signer");
        keyOf[signer] = signerKey;
        hyp = new HyphaToken(admin, 1 days, 1e9 ether, address(this), 1e8 ether);
        staking = new Staking(hyp, admin, 1 days, 7 days, makeAddr("sink"));
        registry = new ProviderRegistry(staking, admin, 1 days, MIN_STAKE);
        providerRole = staking.PROVIDER();
        bytes32 slasherRole = staking.SLASHER_ROLE();
        vm.prank(admin);
        staking.grantRole(slasherRole, slasher);
        _fundAndStake(alice, MIN_STAKE);
        vm.assertTrue(hyp.transfer(bob, 10 * MIN_STAKE));
        vm.warp(1_700_000_000);
    }

    // ------------------------------------------------------------------ constructor and admin

    function test_Constructor_SetsEverything() public view {
        vm.assertEq(address(registry.staking()), address(staking));
        vm.assertEq(registry.minStake(), MIN_STAKE);
        vm.assertTrue(registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin));
        vm.assertEq(registry.providerCount(), 0);
    }

    function test_Constructor_RevertsOnBadArguments() public {
        vm.expectRevert(ProviderRegistry.InvalidStaking.selector);
        new ProviderRegistry(Staking(address(0)), admin, 1 days, MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControlDefaultAdminRules.AccessControlInvalidDefaultAdmin.selector, address(0)
            )
        );
        new ProviderRegistry(staking, address(0), 1 days, MIN_STAKE);
    }

    function test_SetMinStake_ByAdminEmits() public {
        vm.expectEmit(address(registry));
        emit ProviderRegistry.MinStakeChanged(MIN_STAKE, 5 ether);
        vm.prank(admin);
        registry.setMinStake(5 ether);
        vm.assertEq(registry.minStake(), 5 ether);
    }

    function test_SetMinStake_RevertsForNonAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, bytes32(0))
        );
        vm.prank(alice);
        registry.setMinStake(0);
    }

    // ------------------------------------------------------------------ register

    function test_Register_StoresEverythingAndEmits() public {
        bytes32[] memory services = _services2();
        vm.expectEmit(address(registry));
        emit ProviderRegistry.ProviderRegistered(alice, ENDPOINT, signer, services, CID);
        vm.prank(alice);
        registry.register(ENDPOINT, signer, services, CID, _proof(alice, signer));

        ProviderRegistry.Provider memory p = registry.getProvider(alice);
        vm.assertEq(p.endpoint, ENDPOINT);
        vm.assertEq(p.signingKey, signer);
        vm.assertEq(p.services, services);
        vm.assertEq(p.metadataCid, CID);
        vm.assertTrue(p.active);
        vm.assertEq(uint256(p.registeredAt), block.timestamp);
        vm.assertEq(uint256(p.updatedAt), block.timestamp);
        vm.assertTrue(registry.isActive(alice));
        vm.assertTrue(registry.isRegistered(alice));
        vm.assertEq(registry.providerCount(), 1);
        vm.assertEq(registry.providerAt(0), alice);
    }

    function test_Register_ServiceIdConvention() public pure {
        // "inference" as bytes32 (what Solidity's bytes32("inference") gives) is its ASCII bytes, left-aligned.
        bytes32 asciiBytes = hex"696e666572656e6365";
        vm.assertEq(INFERENCE, asciiBytes);
    }

    function test_Register_RevertsWithoutEnoughStake() public {
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InsufficientStake.selector, 0, MIN_STAKE));
        vm.prank(bob);
        registry.register(ENDPOINT, signer, _services1(), CID, _proof(bob, signer));
        _stakeAs(bob, MIN_STAKE - 1);
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InsufficientStake.selector, MIN_STAKE - 1, MIN_STAKE));
        vm.prank(bob);
        registry.register(ENDPOINT, signer, _services1(), CID, _proof(bob, signer));
    }

    function test_Register_StakeForOtherRoleDoesNotCount() public {
        bytes32 validatorRole = staking.VALIDATOR();
        vm.startPrank(bob);
        hyp.approve(address(staking), MIN_STAKE);
        staking.stake(validatorRole, MIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InsufficientStake.selector, 0, MIN_STAKE));
        registry.register(ENDPOINT, signer, _services1(), CID, _proof(bob, signer));
        vm.stopPrank();
    }

    function test_Register_RevertsWhenAlreadyRegistered() public {
        _register(alice);
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.AlreadyRegistered.selector, alice));
        vm.prank(alice);
        registry.register(ENDPOINT, signer, _services1(), CID, _proof(alice, signer));
    }

    function test_Register_ValidatesEveryField() public {
        vm.startPrank(alice);
        vm.expectRevert(ProviderRegistry.EmptyEndpoint.selector);
        registry.register("", signer, _services1(), CID, _proof(alice, signer));

        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.EndpointTooLong.selector, 257, 256));
        registry.register(_string(257), signer, _services1(), CID, _proof(alice, signer));

        vm.expectRevert(ProviderRegistry.InvalidSigningKey.selector);
        registry.register(ENDPOINT, address(0), _services1(), CID, _proof(alice, address(0)));

        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidServiceCount.selector, 0, 32));
        registry.register(ENDPOINT, signer, new bytes32[](0), CID, _proof(alice, signer));

        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidServiceCount.selector, 33, 32));
        registry.register(ENDPOINT, signer, _distinctServices(33), CID, _proof(alice, signer));

        bytes32[] memory withEmpty = _services2();
        withEmpty[1] = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.EmptyServiceId.selector, 1));
        registry.register(ENDPOINT, signer, withEmpty, CID, _proof(alice, signer));

        bytes32[] memory duplicated = _services2();
        duplicated[1] = duplicated[0];
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.DuplicateServiceId.selector, duplicated[0]));
        registry.register(ENDPOINT, signer, duplicated, CID, _proof(alice, signer));

        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.MetadataCidTooLong.selector, 129, 128));
        registry.register(ENDPOINT, signer, _services1(), _string(129), _proof(alice, signer));
        vm.stopPrank();
        vm.assertEq(registry.providerCount(), 0);
    }

    function test_Register_AcceptsBoundaryLengths() public {
        vm.prank(alice);
        registry.register(_string(256), signer, _distinctServices(32), _string(128), _proof(alice, signer));
        vm.assertEq(registry.getProvider(alice).services.length, 32);
        _fundAndStake(bob, MIN_STAKE);
        vm.prank(bob);
        registry.register("x", signer, _services1(), "", _proof(bob, signer));
        vm.assertEq(registry.providerCount(), 2);
        vm.assertEq(registry.providerAt(1), bob);
    }

    function test_ProviderAt_RevertsOutOfRange() public {
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x32));
        registry.providerAt(0);
    }

    function test_GetProvider_UnknownIsEmpty() public view {
        ProviderRegistry.Provider memory p = registry.getProvider(bob);
        vm.assertEq(uint256(p.registeredAt), 0);
        vm.assertFalse(p.active);
        vm.assertFalse(registry.isActive(bob));
        vm.assertFalse(registry.isRegistered(bob));
    }

    // ------------------------------------------------------------------ update

    function test_Update_ReplacesFieldsAndEmits() public {
        _register(alice);
        vm.warp(block.timestamp + 100);
        (address newSigner, uint256 newSignerKey) = makeAccount("newSigner");
        keyOf[newSigner] = newSignerKey;
        bytes32[] memory services = _services1();
        vm.expectEmit(address(registry));
        emit ProviderRegistry.ProviderUpdated(alice, "http://127.0.0.1:9000", newSigner, services, "");
        vm.prank(alice);
        registry.update("http://127.0.0.1:9000", newSigner, services, "", _proof(alice, newSigner));
        ProviderRegistry.Provider memory p = registry.getProvider(alice);
        vm.assertEq(p.endpoint, "http://127.0.0.1:9000");
        vm.assertEq(p.signingKey, newSigner);
        vm.assertEq(p.services, services);
        vm.assertEq(p.metadataCid, "");
        vm.assertEq(uint256(p.updatedAt), block.timestamp);
        vm.assertEq(uint256(p.registeredAt), block.timestamp - 100);
        vm.assertEq(registry.providerCount(), 1);
    }

    function test_Update_RevertsWhenNotRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.NotRegistered.selector, bob));
        vm.prank(bob);
        registry.update(ENDPOINT, signer, _services1(), CID, _proof(bob, signer));
    }

    function test_Update_ValidatesFields() public {
        _register(alice);
        vm.expectRevert(ProviderRegistry.InvalidSigningKey.selector);
        vm.prank(alice);
        registry.update(ENDPOINT, address(0), _services1(), CID, _proof(alice, address(0)));
    }

    function test_Update_KeepsDeactivatedProviderInactive() public {
        _register(alice);
        vm.startPrank(alice);
        registry.deactivate();
        registry.update(ENDPOINT, signer, _services1(), CID, _proof(alice, signer));
        vm.stopPrank();
        vm.assertFalse(registry.getProvider(alice).active);
    }

    // ------------------------------------------------------------------ deactivate / reactivate / isActive

    function test_DeactivateAndReactivate() public {
        _register(alice);
        vm.expectEmit(address(registry));
        emit ProviderRegistry.ProviderDeactivated(alice);
        vm.prank(alice);
        registry.deactivate();
        vm.assertFalse(registry.isActive(alice));
        vm.assertTrue(registry.isRegistered(alice));

        vm.expectEmit(address(registry));
        emit ProviderRegistry.ProviderReactivated(alice);
        vm.prank(alice);
        registry.reactivate();
        vm.assertTrue(registry.isActive(alice));
    }

    function test_Deactivate_RevertsWhenNotRegisteredOrInactive() public {
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.NotRegistered.selector, bob));
        vm.prank(bob);
        registry.deactivate();
        _register(alice);
        vm.startPrank(alice);
        registry.deactivate();
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.ProviderNotActive.selector, alice));
        registry.deactivate();
        vm.stopPrank();
    }

    function test_Reactivate_RevertsWhenActiveOrUnregistered() public {
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.NotRegistered.selector, bob));
        vm.prank(bob);
        registry.reactivate();
        _register(alice);
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.ProviderAlreadyActive.selector, alice));
        vm.prank(alice);
        registry.reactivate();
    }

    function test_Reactivate_RechecksStake() public {
        _register(alice);
        vm.startPrank(alice);
        registry.deactivate();
        staking.requestUnbond(providerRole, 1);
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InsufficientStake.selector, MIN_STAKE - 1, MIN_STAKE));
        registry.reactivate();
        vm.stopPrank();
    }

    function test_IsActive_FollowsStakeAndMinStake() public {
        _register(alice);
        vm.prank(slasher);
        staking.slash(alice, providerRole, 1, "test");
        vm.assertFalse(registry.isActive(alice), "slashed below minimum");
        vm.prank(admin);
        registry.setMinStake(MIN_STAKE - 1);
        vm.assertTrue(registry.isActive(alice), "minimum lowered");
        vm.prank(admin);
        registry.setMinStake(type(uint256).max);
        vm.assertFalse(registry.isActive(alice), "minimum raised");
    }

    // ------------------------------------------------------------------ fuzz

    function testFuzz_Register_StakeThreshold(uint256 stakeAmount, uint256 minStake_) public {
        stakeAmount = bound(stakeAmount, 1, 10 * MIN_STAKE);
        minStake_ = bound(minStake_, 0, type(uint256).max);
        vm.prank(admin);
        registry.setMinStake(minStake_);
        _stakeAs(bob, stakeAmount);
        vm.prank(bob);
        if (stakeAmount < minStake_) {
            vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InsufficientStake.selector, stakeAmount, minStake_));
            registry.register(ENDPOINT, signer, _services1(), CID, _proof(bob, signer));
            vm.assertFalse(registry.isRegistered(bob));
        } else {
            registry.register(ENDPOINT, signer, _services1(), CID, _proof(bob, signer));
            vm.assertTrue(registry.isActive(bob));
        }
    }

    function testFuzz_Register_ArbitraryInputs(
        string calldata endpoint,
        uint256 keySeed,
        bytes32[] calldata services,
        string calldata metadataCid
    ) public {
        address signingKey = _fuzzedKey(keySeed);
        bytes4 expected = _expectedError(endpoint, signingKey, services, metadataCid);
        vm.prank(alice);
        if (expected != bytes4(0)) {
            vm.expectPartialRevert(expected);
            registry.register(endpoint, signingKey, services, metadataCid, _proof(alice, signingKey));
            vm.assertFalse(registry.isRegistered(alice));
        } else {
            registry.register(endpoint, signingKey, services, metadataCid, _proof(alice, signingKey));
            ProviderRegistry.Provider memory p = registry.getProvider(alice);
            vm.assertEq(p.endpoint, endpoint);
            vm.assertEq(p.services, services);
            vm.assertEq(p.metadataCid, metadataCid);
        }
    }

    function testFuzz_Update_ArbitraryInputs(
        string calldata endpoint,
        uint256 keySeed,
        bytes32[] calldata services,
        string calldata metadataCid
    ) public {
        _register(alice);
        address signingKey = _fuzzedKey(keySeed);
        bytes4 expected = _expectedError(endpoint, signingKey, services, metadataCid);
        vm.prank(alice);
        if (expected != bytes4(0)) {
            vm.expectPartialRevert(expected);
            registry.update(endpoint, signingKey, services, metadataCid, _proof(alice, signingKey));
            vm.assertEq(registry.getProvider(alice).endpoint, ENDPOINT);
        } else {
            registry.update(endpoint, signingKey, services, metadataCid, _proof(alice, signingKey));
            ProviderRegistry.Provider memory p = registry.getProvider(alice);
            vm.assertEq(p.endpoint, endpoint);
            vm.assertEq(p.signingKey, signingKey);
            vm.assertEq(p.services, services);
            vm.assertEq(p.metadataCid, metadataCid);
        }
    }

    /// @dev Fuzzed inputs are rarely valid by chance, so this one builds valid ones from the fuzzed sizes.
    function testFuzz_Register_ValidInputsOfAnySize(
        uint256 endpointLength,
        uint8 count,
        uint256 cidLength,
        uint256 keySeed
    ) public {
        address key = vm.addr(boundKey(keySeed));
        keyOf[key] = boundKey(keySeed);
        endpointLength = bound(endpointLength, 1, 256);
        cidLength = bound(cidLength, 0, 128);
        bytes32[] memory services = _distinctServices(bound(count, 1, 32));
        vm.prank(alice);
        registry.register(_string(endpointLength), key, services, _string(cidLength), _proof(alice, key));
        ProviderRegistry.Provider memory p = registry.getProvider(alice);
        vm.assertEq(bytes(p.endpoint).length, endpointLength);
        vm.assertEq(p.services, services);
        vm.assertEq(bytes(p.metadataCid).length, cidLength);
        vm.assertTrue(registry.isActive(alice));
    }

    function testFuzz_GrantRole_OnlyAdmin(address caller, bytes32 role, address grantee) public {
        vm.assume(caller != admin);
        if (role == bytes32(0)) {
            // DEFAULT_ADMIN_ROLE is never granted, only handed over in two steps (whoever asks).
            vm.expectRevert(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector);
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
            );
        }
        vm.prank(caller);
        registry.grantRole(role, grantee);
    }

    function test_GrantRole_DefaultAdminIsNeverGrantedEvenByTheAdmin() public {
        vm.expectRevert(IAccessControlDefaultAdminRules.AccessControlEnforcedDefaultAdminRules.selector);
        vm.prank(admin);
        registry.grantRole(bytes32(0), bob);
        vm.assertEq(registry.defaultAdmin(), admin);
    }

    function testFuzz_Register_ServiceCount(uint8 count) public {
        bytes32[] memory services = _distinctServices(count);
        vm.prank(alice);
        if (count == 0 || count > 32) {
            vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidServiceCount.selector, count, 32));
        }
        registry.register(ENDPOINT, signer, services, CID, _proof(alice, signer));
    }

    function testFuzz_Update_OnlyRegisteredCaller(address caller) public {
        vm.assume(caller != alice);
        _register(alice);
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.NotRegistered.selector, caller));
        vm.prank(caller);
        registry.update(
            "http://evil",
            caller == address(0) ? signer : caller,
            _services1(),
            "",
            _proof(caller, caller == address(0) ? signer : caller)
        );
        vm.assertEq(registry.getProvider(alice).endpoint, ENDPOINT);
    }

    function testFuzz_DeactivateReactivate_OnlyRegisteredCaller(address caller) public {
        vm.assume(caller != alice);
        _register(alice);
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.NotRegistered.selector, caller));
        vm.prank(caller);
        registry.deactivate();
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.NotRegistered.selector, caller));
        vm.prank(caller);
        registry.reactivate();
        vm.assertTrue(registry.isActive(alice));
    }

    function testFuzz_SetMinStake_OnlyAdmin(address caller, uint256 value) public {
        vm.prank(caller);
        if (caller != admin) {
            vm.expectRevert(
                abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, caller, bytes32(0))
            );
            registry.setMinStake(value);
            vm.assertEq(registry.minStake(), MIN_STAKE);
        } else {
            registry.setMinStake(value);
            vm.assertEq(registry.minStake(), value);
        }
    }

    function testFuzz_IsActive_MatchesStakeRule(uint256 unbond, bool deactivated) public {
        _register(alice);
        unbond = bound(unbond, 0, MIN_STAKE);
        if (unbond > 0) {
            vm.prank(alice);
            staking.requestUnbond(providerRole, unbond);
        }
        if (deactivated) {
            vm.prank(alice);
            registry.deactivate();
        }
        vm.assertEq(registry.isActive(alice), !deactivated && unbond == 0);
    }

    function testFuzz_ProviderAt_OutOfRangeReverts(uint256 index) public {
        _register(alice);
        index = bound(index, 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x32));
        registry.providerAt(index);
    }

    // ------------------------------------------------------------------ proof of possession of the signing key

    function test_SigningKeyProofDigest_IsTheDocumentedEip712Digest() public view {
        vm.assertEq(
            registry.signingKeyProofDigest(alice, signer), _digest(address(registry), block.chainid, alice, signer)
        );
        (, string memory name, string memory version, uint256 chainId, address verifyingContract,,) =
            registry.eip712Domain();
        vm.assertEq(name, "Hypha ProviderRegistry");
        vm.assertEq(version, "1");
        vm.assertEq(chainId, block.chainid);
        vm.assertEq(verifyingContract, address(registry));
    }

    function test_Register_RevertsWhenAnotherKeySignedTheProof() public {
        (, uint256 malloryKey) = makeAccount("mallory");
        bytes memory forged = _sign(malloryKey, _digest(address(registry), block.chainid, alice, signer));
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidSigningKeyProof.selector, signer));
        vm.prank(alice);
        registry.register(ENDPOINT, signer, _services1(), CID, forged);
        vm.assertFalse(registry.isRegistered(alice));
    }

    function test_Register_RevertsOnAnotherProvidersProof() public {
        bytes memory bobsProof = _proof(bob, signer);
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidSigningKeyProof.selector, signer));
        vm.prank(alice);
        registry.register(ENDPOINT, signer, _services1(), CID, bobsProof);
    }

    function test_Register_RevertsOnAProofForAnotherRegistry() public {
        ProviderRegistry other = new ProviderRegistry(staking, admin, 1 days, MIN_STAKE);
        bytes memory proofForOther = _sign(signerKey, _digest(address(other), block.chainid, alice, signer));
        vm.prank(alice);
        other.register(ENDPOINT, signer, _services1(), CID, proofForOther); // valid where it was made for
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidSigningKeyProof.selector, signer));
        vm.prank(alice);
        registry.register(ENDPOINT, signer, _services1(), CID, proofForOther);
    }

    function test_Register_RevertsOnAProofForAnotherChain() public {
        bytes memory mainnetProof = _sign(signerKey, _digest(address(registry), 1, alice, signer));
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidSigningKeyProof.selector, signer));
        vm.prank(alice);
        registry.register(ENDPOINT, signer, _services1(), CID, mainnetProof);
        // The same registry address on chain 1 accepts it: the chain id is what made it fail.
        vm.chainId(1);
        vm.prank(alice);
        registry.register(ENDPOINT, signer, _services1(), CID, mainnetProof);
        vm.assertTrue(registry.isRegistered(alice));
    }

    function test_Register_RevertsOnMalformedOrMalleableProofs() public {
        bytes memory good = _proof(alice, signer);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidSigningKeyProof.selector, signer));
        registry.register(ENDPOINT, signer, _services1(), CID, "");
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidSigningKeyProof.selector, signer));
        registry.register(ENDPOINT, signer, _services1(), CID, bytes.concat(good, hex"00"));
        (bytes32 r, bytes32 s, uint8 v) = _split(good);
        bytes memory highS = abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidSigningKeyProof.selector, signer));
        registry.register(ENDPOINT, signer, _services1(), CID, highS);
        registry.register(ENDPOINT, signer, _services1(), CID, good);
        vm.stopPrank();
    }

    function test_Update_NewKeyNeedsItsOwnProof() public {
        _register(alice);
        (address newSigner, uint256 newSignerKey) = makeAccount("newSigner");
        // A proof by the old key does not list a new one.
        bytes memory byOldKey = _sign(signerKey, _digest(address(registry), block.chainid, alice, newSigner));
        vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidSigningKeyProof.selector, newSigner));
        vm.prank(alice);
        registry.update(ENDPOINT, newSigner, _services1(), CID, byOldKey);
        vm.assertEq(registry.getProvider(alice).signingKey, signer);
        bytes memory byNewKey = _sign(newSignerKey, _digest(address(registry), block.chainid, alice, newSigner));
        vm.prank(alice);
        registry.update(ENDPOINT, newSigner, _services1(), CID, byNewKey);
        vm.assertEq(registry.getProvider(alice).signingKey, newSigner);
    }

    function testFuzz_Register_OnlyTheKeysOwnSignatureProves(uint256 forgerSeed, uint256 keySeed) public {
        uint256 key = boundKey(keySeed);
        uint256 forger = boundKey(forgerSeed);
        address signingKey = vm.addr(key);
        bytes memory proof = _sign(forger, _digest(address(registry), block.chainid, alice, signingKey));
        vm.prank(alice);
        if (forger != key) {
            vm.expectRevert(abi.encodeWithSelector(ProviderRegistry.InvalidSigningKeyProof.selector, signingKey));
        }
        registry.register(ENDPOINT, signingKey, _services1(), CID, proof);
        vm.assertEq(registry.isRegistered(alice), forger == key);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A proof of possession for `key` (a labelled key of this test) used by `provider`; empty for unknown keys.
    function _proof(address provider, address key) internal view returns (bytes memory) {
        uint256 k = keyOf[key];
        if (k == 0) return "";
        return _sign(k, _digest(address(registry), block.chainid, provider, key));
    }

    /// @dev The EIP-712 digest as a client computes it, written independently of the contract.
    function _digest(address registryAddress, uint256 chainId, address provider, address key)
        internal
        pure
        returns (bytes32)
    {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Hypha ProviderRegistry"),
                keccak256("1"),
                chainId,
                registryAddress
            )
        );
        bytes32 structHash =
            keccak256(abi.encode(keccak256("SigningKeyProof(address provider,address signingKey)"), provider, key));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _split(bytes memory sig) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        assembly ("memory-safe") {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
    }

    /// @dev A signing key from a fuzzed seed (sometimes the invalid zero address), whose private key is known.
    function _fuzzedKey(uint256 seed) internal returns (address key) {
        if (seed % 16 == 0) return address(0);
        key = vm.addr(boundKey(seed));
        keyOf[key] = boundKey(seed);
    }

    /// @dev The first rule register() should break for these inputs (stake is already sufficient), or 0.
    function _expectedError(
        string calldata endpoint,
        address signingKey,
        bytes32[] calldata services,
        string calldata metadataCid
    ) internal pure returns (bytes4) {
        if (bytes(endpoint).length == 0) return ProviderRegistry.EmptyEndpoint.selector;
        if (bytes(endpoint).length > 256) return ProviderRegistry.EndpointTooLong.selector;
        if (signingKey == address(0)) return ProviderRegistry.InvalidSigningKey.selector;
        if (services.length == 0 || services.length > 32) return ProviderRegistry.InvalidServiceCount.selector;
        for (uint256 i = 0; i < services.length; ++i) {
            if (services[i] == bytes32(0)) return ProviderRegistry.EmptyServiceId.selector;
            for (uint256 j = 0; j < i; ++j) {
                if (services[i] == services[j]) return ProviderRegistry.DuplicateServiceId.selector;
            }
        }
        if (bytes(metadataCid).length > 128) return ProviderRegistry.MetadataCidTooLong.selector;
        return bytes4(0);
    }

    function _register(address who) internal {
        vm.prank(who);
        registry.register(ENDPOINT, signer, _services2(), CID, _proof(who, signer));
    }

    function _fundAndStake(address who, uint256 amount) internal {
        vm.assertTrue(hyp.transfer(who, amount));
        _stakeAs(who, amount);
    }

    function _stakeAs(address who, uint256 amount) internal {
        vm.startPrank(who);
        hyp.approve(address(staking), amount);
        staking.stake(providerRole, amount);
        vm.stopPrank();
    }

    function _services1() internal pure returns (bytes32[] memory s) {
        s = new bytes32[](1);
        s[0] = INFERENCE;
    }

    function _services2() internal pure returns (bytes32[] memory s) {
        s = new bytes32[](2);
        s[0] = INFERENCE;
        s[1] = TRAINING;
    }

    function _distinctServices(uint256 n) internal pure returns (bytes32[] memory s) {
        s = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            s[i] = bytes32(i + 1);
        }
    }

    function _string(uint256 length) internal pure returns (string memory) {
        bytes memory b = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            b[i] = "a";
        }
        return string(b);
    }
}
