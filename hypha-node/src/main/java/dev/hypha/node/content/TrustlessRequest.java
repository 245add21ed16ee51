package dev.hypha.node.content;

import java.util.Locale;

/**
 * What a Trustless Gateway request asks for (https://specs.ipfs.tech/http-gateways/trustless-gateway/): one raw block
 * or a CARv1 stream, which part of the DAG ({@code dag-scope}) and whether repeated blocks are sent again ({@code
 * dups}). The {@code format} query parameter wins over the {@code Accept} header, as the spec says; CAR options come from
 * the query ({@code car-version}, {@code car-order}, {@code car-dups}) or the Accept header's parameters.
 *
 * @param format what to answer
 * @param scope  the blocks a CAR holds: the root block only, the whole file (entity), or the whole DAG (all)
 * @param dups   whether a block linked more than once is sent each time (CAR only; {@code n} by default)
 * @param range  {@code entity-bytes=from:to} (CAR only; implies {@code dag-scope=entity}): only the blocks needed to
 *     verify those bytes of the file
 */
record TrustlessRequest(Format format, Scope scope, boolean dups, java.util.Optional<EntityBytes> range) {
    /**
     * {@code entity-bytes=from:to} as given: byte offsets, inclusive; a negative one counts from the end of the file
     * ({@code -1} is the last byte), and {@code to} may be open ({@code *}: the end).
     */
    record EntityBytes(long from, java.util.OptionalLong to) {
        /** The inclusive range [first, last] within a file of {@code size} bytes, or empty when none of it is inside. */
        java.util.Optional<long[]> resolve(long size) {
            long first = from < 0 ? Math.max(0, size + from) : from;
            long last = to.isEmpty() ? size - 1 : to.getAsLong() < 0 ? size + to.getAsLong() : Math.min(to.getAsLong(), size - 1);
            return first > last || first >= size ? java.util.Optional.empty() : java.util.Optional.of(new long[] {first, last});
        }
    }

    TrustlessRequest(Format format, Scope scope, boolean dups) {
        this(format, scope, dups, java.util.Optional.empty());
    }

    /** The two verifiable answers a trustless gateway gives. */
    enum Format {
        RAW("application/vnd.ipld.raw"), CAR("application/vnd.ipld.car");

        final String mediaType;

        Format(String mediaType) {
            this.mediaType = mediaType;
        }
    }

    /** {@code dag-scope}: Hypha's DAGs are UnixFS files, for which {@code entity} and {@code all} hold the same blocks. */
    enum Scope { BLOCK, ENTITY, ALL }

    /** A request the gateway cannot answer: the status (400 or 406) and why. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** The Content-Type of the answer, with the CAR parameters the spec asks a gateway to state. */
    String contentType() {
        return format == Format.RAW ? format.mediaType
                : format.mediaType + "; version=1; order=dfs; dups=" + (dups ? "y" : "n");
    }

    /**
     * Reads the request's parameters and Accept header (any may be null).
     *
     * @throws Refused 400 for a malformed or unsupported parameter or a request that names no verifiable format, 406
     *     for an Accept header that names only answers this gateway does not give
     */
    static TrustlessRequest parse(String format, String accept, String dagScope, String carVersion, String carOrder,
            String carDups) throws Refused {
        return parse(format, accept, dagScope, carVersion, carOrder, carDups, null);
    }

    /** Like the other, with the {@code entity-bytes} parameter (may be null). */
    static TrustlessRequest parse(String format, String accept, String dagScope, String carVersion, String carOrder,
            String carDups, String entityBytes) throws Refused {
        Format chosen = null;
        String acceptedDups = null;
        if (format != null) {
            chosen = switch (format) {
                case "raw" -> Format.RAW;
                case "car" -> Format.CAR;
                default -> throw new Refused(400, "format=" + shorten(format)
                        + " is not served here (a trustless gateway answers format=raw or format=car)");
            };
        } else if (accept != null && !accept.isBlank()) {
            for (String range : accept.split(",")) {
                String[] parts = range.split(";");
                String type = parts[0].strip().toLowerCase(Locale.ROOT);
                if (type.equals(Format.RAW.mediaType)) {
                    chosen = Format.RAW;
                    break;
                }
                if (type.equals(Format.CAR.mediaType) && carParametersSupported(parts)) {
                    chosen = Format.CAR;
                    acceptedDups = parameter(parts, "dups");
                    break;
                }
            }
            if (chosen == null) {
                throw new Refused(406, "Accept: " + shorten(accept) + " names no answer served here (this is a trustless"
                        + " gateway: ask for application/vnd.ipld.raw or application/vnd.ipld.car; version=1)");
            }
        } else {
            throw new Refused(400, "no verifiable format asked for: add ?format=raw or ?format=car (or Accept: "
                    + Format.RAW.mediaType + " or " + Format.CAR.mediaType + ")");
        }
        if (chosen == Format.RAW) {
            if (dagScope != null || carVersion != null || carOrder != null || carDups != null || entityBytes != null) {
                throw new Refused(400, "dag-scope, entity-bytes and car-* parameters apply to format=car only");
            }
            return new TrustlessRequest(Format.RAW, Scope.BLOCK, false);
        }
        if (carVersion != null && !carVersion.equals("1")) {
            throw new Refused(400, "car-version=" + shorten(carVersion) + " is not served (only CARv1: car-version=1)");
        }
        if (carOrder != null && !carOrder.equals("dfs") && !carOrder.equals("unk")) {
            throw new Refused(400, "car-order=" + shorten(carOrder) + " is not served (blocks come depth-first: dfs)");
        }
        String dups = carDups != null ? carDups : acceptedDups;
        if (dups != null && !dups.equals("y") && !dups.equals("n")) {
            throw new Refused(400, "dups=" + shorten(dups) + " is not y or n");
        }
        java.util.Optional<EntityBytes> range = java.util.Optional.ofNullable(entityBytes == null ? null : entityBytes(entityBytes));
        Scope scope = range.isPresent() ? Scope.ENTITY : Scope.ALL;
        if (dagScope != null) {
            scope = switch (dagScope) {
                case "block" -> Scope.BLOCK;
                case "entity" -> Scope.ENTITY;
                case "all" -> Scope.ALL;
                default -> throw new Refused(400, "dag-scope=" + shorten(dagScope) + " is not block, entity or all");
            };
        }
        return new TrustlessRequest(Format.CAR, scope, "y".equals(dups), scope == Scope.BLOCK ? java.util.Optional.empty() : range);
    }

    private static EntityBytes entityBytes(String text) throws Refused {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(-?[0-9]{1,18}):(\\*|-?[0-9]{1,18})").matcher(text);
        if (!m.matches()) {
            throw new Refused(400, "entity-bytes=" + shorten(text) + " is not from:to (byte offsets, negative from the end,"
                    + " to may be *)");
        }
        long from = Long.parseLong(m.group(1));
        java.util.OptionalLong to = m.group(2).equals("*") ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(Long.parseLong(m.group(2)));
        if (from >= 0 && to.isPresent() && to.getAsLong() >= 0 && to.getAsLong() < from) {
            throw new Refused(400, "entity-bytes=" + shorten(text) + " ends before it starts");
        }
        return new EntityBytes(from, to);
    }

    /** Whether the CAR media range's parameters ask for something served: version 1, order dfs or unk, dups y or n. */
    private static boolean carParametersSupported(String[] parts) {
        String version = parameter(parts, "version");
        String order = parameter(parts, "order");
        String dups = parameter(parts, "dups");
        return (version == null || version.equals("1"))
                && (order == null || order.equals("dfs") || order.equals("unk"))
                && (dups == null || dups.equals("y") || dups.equals("n"));
    }

    private static String parameter(String[] parts, String name) {
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length == 2 && kv[0].strip().equalsIgnoreCase(name)) {
                return kv[1].strip().replace("\"", "");
            }
        }
        return null;
    }

    /** A value as it may be quoted in an error: short, printable ASCII only. */
    static String shorten(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
