/**
 * CARv1 (Content Addressable aRchive, https://ipld.io/specs/transport/car/carv1/), the stream of blocks an IPFS
 * Trustless Gateway answers for {@code ?format=car}: a dag-cbor header ({@link dev.hypha.core.car.CarHeader}, encoded
 * with Jackson's CBOR dataformat), then sections of {@code varint(length) CID block}. {@link
 * dev.hypha.core.car.CarWriter} writes one; {@link dev.hypha.core.car.CarReader} reads one from an untrusted source,
 * bounding every length before it allocates and checking every block against its CID.
 */
package dev.hypha.core.car;
