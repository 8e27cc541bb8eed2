package io.kerbgate.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Seeded, structure-aware mutations of DER tokens (and of the GSS framing around them, whose TOK_ID {@code 01 00}
 * happens to read as an empty BOOLEAN), for tests that hold "any input ends as a typed refusal, never as another
 * exception". Everything random comes from the {@link RandomGenerator} given ({@link java.util.Random} or
 * {@link java.util.SplittableRandom}), so the same state always gives the same output and a failing case is
 * reproduced from its seed alone.
 *
 * <p>Two kinds of mutation are combined. Tree mutations parse the input leniently into a TLV tree (looking inside
 * OCTET STRINGs and any other contents that read as DER, so a mechToken, a ticket's contents or authorization data
 * are reached) and edit it: retag an element, write its length in a non-DER form (indefinite, non-minimal, five
 * octets, off by a few, huge, zero), replace its contents by boundary values for its type or damage a leaf's bytes,
 * delete, duplicate or swap elements, splice in an element of a donor, wrap an element in nesting around the
 * reader's depth bound or far deeper, or unwrap one. Lengths of the enclosing elements are recomputed, so the damage
 * reaches the inner decoders instead of dying at the outermost length check. Byte mutations then flip bits, set,
 * insert, delete, overwrite or duplicate bytes, truncate, splice a donor's tail or append, where nothing stays
 * consistent.
 *
 * <p>{@link #nested} and {@link #nestedIndefinite} build the deep inputs of the depth tests. Reusable for any DER
 * parser: feed it valid seeds of the parser's message (e.g. AP-REQs).
 */
final class TokenMutator {
    /** Deeper input is kept opaque; also bounds the recursion of this test-side parser. */
    private static final int MAX_PARSE_DEPTH = 120;
    private static final int[] TAGS = {0x30, 0x31, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA,
        0xAB, 0x60, 0x61, 0x62, 0x63, 0x6E, 0x6F, 0x7B, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0A, 0x18, 0x1B, 0x0C, 0x00,
        0x01, 0x1F, 0x3F, 0x9F, 0xBF, 0xFF, 0x80};
    private static final int[] BYTES = {0x00, 0x01, 0x02, 0x05, 0x0E, 0x30, 0x60, 0x7F, 0x80, 0x81, 0x82, 0x84, 0x85,
        0xA0, 0xFF};
    /** Levels of extra nesting: a few, and around the reader's depth bound ({@code DerReader.MAX_DEPTH}, 64). */
    private static final int[] NESTING = {1, 2, 3, 8, 60, 61, 62, 63, 64, 65, 66, 67, 70};

    private enum LengthForm { MINIMAL, INDEFINITE, NON_MINIMAL, FIVE_OCTETS, OFF_BY, HUGE, ZERO }

    private final RandomGenerator random;

    TokenMutator(RandomGenerator random) {
        this.random = random;
    }

    /** Like {@link #mutate(byte[], List, List)}, splicing from {@code seed} itself. */
    byte[] mutate(byte[] seed) {
        return mutate(seed, List.of(seed), new ArrayList<>());
    }

    /**
     * Returns a mutated copy of {@code seed}, which is not modified: zero to three tree mutations and byte mutations,
     * at least one mutation in all.
     *
     * @param donors other inputs whose elements and bytes may be spliced in
     * @param ops    receives the names of the mutations applied, for the failure report
     */
    byte[] mutate(byte[] seed, List<byte[]> donors, List<String> ops) {
        List<Node> tree = parseAll(seed, 0, seed.length, 0);
        byte[] out = seed;
        int treeOps = tree == null || tree.isEmpty() ? 0 : random.nextInt(4);
        int byteOps = treeOps == 0 ? 1 + random.nextInt(2) : random.nextInt(3) == 0 ? 1 : 0;
        if (treeOps > 0) {
            Node root = new Node(-1, null, tree);
            for (int i = 0; i < treeOps; i++) {
                ops.add(treeMutation(root, donors));
            }
            out = serializeChildren(root);
        }
        for (int i = 0; i < byteOps; i++) {
            out = byteMutation(out, donors, ops);
        }
        return out;
    }

    /**
     * {@code levels} definite-length elements of {@code tag}, each holding the next, around {@code core}. Built
     * without recursion or quadratic copying; 100,000 levels of SEQUENCE around nothing take about 0.5 MB.
     */
    static byte[] nested(int tag, int levels, byte[] core) {
        long[] lengths = new long[levels + 1];
        lengths[0] = core.length;
        for (int k = 1; k <= levels; k++) {
            lengths[k] = 1 + lengthOctets(lengths[k - 1]) + lengths[k - 1];
        }
        if (lengths[levels] > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("nesting too large: " + lengths[levels] + " bytes");
        }
        byte[] out = new byte[(int) lengths[levels]];
        int pos = 0;
        for (int k = levels - 1; k >= 0; k--) {
            out[pos++] = (byte) tag;
            pos = writeLength(out, pos, lengths[k]);
        }
        System.arraycopy(core, 0, out, pos, core.length);
        return out;
    }

    /** {@code levels} BER indefinite-length openings ({@code tag 0x80}), never closed: the CVE-2020-28196 shape. */
    static byte[] nestedIndefinite(int tag, int levels) {
        byte[] out = new byte[2 * levels];
        for (int i = 0; i < levels; i++) {
            out[2 * i] = (byte) tag;
            out[2 * i + 1] = (byte) 0x80;
        }
        return out;
    }

    static int lengthOctets(long len) {
        return len < 0x80 ? 1 : len <= 0xFF ? 2 : len <= 0xFFFF ? 3 : len <= 0xFF_FFFF ? 4 : 5;
    }

    private static int writeLength(byte[] out, int pos, long len) {
        int n = lengthOctets(len) - 1;
        if (n == 0) {
            out[pos++] = (byte) len;
            return pos;
        }
        out[pos++] = (byte) (0x80 | n);
        for (int i = n - 1; i >= 0; i--) {
            out[pos++] = (byte) (len >>> (8 * i));
        }
        return pos;
    }

    private static byte[] minimalLength(long len) {
        byte[] out = new byte[lengthOctets(len)];
        writeLength(out, 0, len);
        return out;
    }

    // ---- the tree

    /** One element of the lenient TLV tree; the root has no header ({@code tag < 0}). */
    private static final class Node {
        int tag;
        byte[] content;
        List<Node> children;
        /** How the length is written; {@code delta} picks the variant of the wrong forms. */
        LengthForm form = LengthForm.MINIMAL;
        int delta;
        /** Extra levels of {@code wrapTag} around this element, written by {@link #nested}. */
        int wraps;
        int wrapTag;

        Node(int tag, byte[] content, List<Node> children) {
            this.tag = tag;
            this.content = content;
            this.children = children;
        }

        Node copy() {
            Node n = new Node(tag, content, null);
            if (children != null) {
                n.children = new ArrayList<>(children.size());
                for (Node c : children) {
                    n.children.add(c.copy());
                }
            }
            n.form = form;
            n.delta = delta;
            n.wraps = wraps;
            n.wrapTag = wrapTag;
            return n;
        }
    }

    /** The TLVs filling {@code b[from, to)} exactly, or null when they do not parse as definite-length DER. */
    private static List<Node> parseAll(byte[] b, int from, int to, int depth) {
        List<Node> out = new ArrayList<>();
        int p = from;
        while (p < to) {
            int tag = b[p] & 0xFF;
            if ((tag & 0x1F) == 0x1F || p + 1 >= to) {
                return null;
            }
            int first = b[p + 1] & 0xFF;
            int q = p + 2;
            long len;
            if (first < 0x80) {
                len = first;
            } else {
                int n = first & 0x7F;
                if (n == 0 || n > 4 || q + n > to) {
                    return null;
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[q++] & 0xFF);
                }
            }
            if (len > to - q) {
                return null;
            }
            int end = q + (int) len;
            // Any contents that read as DER are descended into: constructed values, OCTET STRINGs holding DER, more.
            List<Node> children = depth < MAX_PARSE_DEPTH && len >= 2 ? parseAll(b, q, end, depth + 1) : null;
            out.add(new Node(tag, children == null ? Arrays.copyOfRange(b, q, end) : null, children));
            p = end;
        }
        return out;
    }

    private static byte[] serialize(Node n) {
        byte[] content = n.children != null ? serializeChildren(n) : n.content;
        byte[] tlv = concat(new byte[] {(byte) n.tag}, encodeLength(n, content.length), content);
        return n.wraps == 0 ? tlv : nested(n.wrapTag, n.wraps, tlv);
    }

    private static byte[] serializeChildren(Node n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Node c : n.children) {
            out.writeBytes(serialize(c));
        }
        return out.toByteArray();
    }

    private static byte[] encodeLength(Node n, int len) {
        return switch (n.form) {
            case MINIMAL -> minimalLength(len);
            case INDEFINITE -> new byte[] {(byte) 0x80};
            case NON_MINIMAL -> len < 0x80 && n.delta > 0 ? new byte[] {(byte) 0x81, (byte) len}
                    : concat(new byte[] {(byte) (len < 0x80 ? 0x82 : 0x80 | lengthOctets(len)), 0},
                            Arrays.copyOfRange(minimalLength(len), len < 0x80 ? 0 : 1, lengthOctets(len)));
            case FIVE_OCTETS -> new byte[] {(byte) 0x85, 0, (byte) (len >>> 24), (byte) (len >>> 16),
                (byte) (len >>> 8), (byte) len};
            case OFF_BY -> minimalLength(Math.max(0, len + n.delta));
            case HUGE -> n.delta > 0 ? new byte[] {(byte) 0x84, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}
                    : new byte[] {(byte) 0x84, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
            case ZERO -> new byte[] {0};
        };
    }

    // ---- tree mutations

    private String treeMutation(Node root, List<byte[]> donors) {
        List<Node[]> all = new ArrayList<>(); // {node, parent}
        collect(root, all);
        if (all.isEmpty()) {
            return "none";
        }
        Node[] pick = all.get(random.nextInt(all.size()));
        Node node = pick[0];
        Node parent = pick[1];
        int index = parent.children.indexOf(node);
        switch (random.nextInt(11)) {
            case 0 -> {
                int r = random.nextInt(4);
                node.tag = r == 0 ? random.nextInt(256) : r == 1 ? node.tag ^ (1 << random.nextInt(8)) : pickInt(TAGS);
                return "tag-" + Integer.toHexString(node.tag);
            }
            case 1 -> {
                node.form = LengthForm.values()[1 + random.nextInt(LengthForm.values().length - 1)];
                node.delta = random.nextBoolean() ? 1 + random.nextInt(3) : -(1 + random.nextInt(3));
                return "length-" + node.form + (node.form == LengthForm.OFF_BY ? node.delta : "");
            }
            case 2, 3 -> {
                replaceContent(node);
                return "content-" + Integer.toHexString(node.tag);
            }
            case 4 -> {
                Node leaf = node;
                while (leaf.children != null && !leaf.children.isEmpty()) {
                    leaf = leaf.children.get(random.nextInt(leaf.children.size()));
                }
                if (leaf.children != null) {
                    leaf.children = null;
                    leaf.content = new byte[0];
                }
                List<String> byteOps = new ArrayList<>(1);
                leaf.content = byteMutation(leaf.content, donors, byteOps);
                return "leaf-" + Integer.toHexString(leaf.tag) + " " + byteOps.get(0);
            }
            case 5 -> {
                parent.children.remove(index);
                return "delete";
            }
            case 6 -> {
                parent.children.add(index, node.copy());
                return "duplicate";
            }
            case 7 -> {
                int j = random.nextInt(parent.children.size());
                parent.children.set(index, parent.children.get(j));
                parent.children.set(j, node);
                return "swap";
            }
            case 8 -> {
                Node donor = donorNode(donors);
                if (donor == null) {
                    return "splice-none";
                }
                if (random.nextBoolean()) {
                    parent.children.set(index, donor);
                    return "splice-replace";
                }
                parent.children.add(random.nextInt(parent.children.size() + 1), donor);
                return "splice-insert";
            }
            case 9 -> {
                // Around the reader's depth bound most of the time, much deeper now and then.
                int levels = random.nextInt(4) == 0 ? 1 + random.nextInt(2000) : pickInt(NESTING);
                int tag = switch (random.nextInt(4)) {
                    case 0 -> node.tag;
                    case 1 -> 0x30;
                    case 2 -> 0x60;
                    default -> 0xA0 | random.nextInt(11);
                };
                Node wrapper = new Node(tag, null, new ArrayList<>(List.of(node)));
                wrapper.wraps = levels - 1;
                wrapper.wrapTag = tag;
                parent.children.set(index, wrapper);
                return "nest-" + Integer.toHexString(tag) + "x" + levels;
            }
            default -> {
                if (node.children == null) {
                    node.content = new byte[0];
                    return "empty";
                }
                parent.children.remove(index);
                parent.children.addAll(index, node.children);
                return "unwrap";
            }
        }
    }

    private static void collect(Node parent, List<Node[]> out) {
        for (Node c : parent.children) {
            out.add(new Node[] {c, parent});
            if (c.children != null) {
                collect(c, out);
            }
        }
    }

    private Node donorNode(List<byte[]> donors) {
        if (donors.isEmpty()) {
            return null;
        }
        byte[] d = donors.get(random.nextInt(donors.size()));
        List<Node> tree = parseAll(d, 0, d.length, 0);
        if (tree == null || tree.isEmpty()) {
            return null;
        }
        List<Node[]> all = new ArrayList<>();
        collect(new Node(-1, null, tree), all);
        return all.get(random.nextInt(all.size()))[0].copy();
    }

    /** Boundary values for the node's type; constructed nodes lose their children or get random content. */
    private void replaceContent(Node n) {
        byte[] old = n.children != null ? serializeChildren(n) : n.content;
        n.children = null;
        n.content = switch (n.tag) {
            case 0x02, 0x0A -> pick(hex("00"), hex("01"), hex("05"), hex("7f"), hex("0080"), hex("ff"), hex("ff7f"),
                    hex("0000"), hex("7fffffff"), hex("80000000"), hex("00ffffffff"), hex("7fffffffffffffff"),
                    hex("00ffffffffffffffff"), hex("8000000000000000"), new byte[0], randomBytes(1 + random.nextInt(9)));
            case 0x18 -> ascii(pick("99991231235959Z", "00000101000000Z", "00010101000000Z", "19700101000000Z",
                    "20380119031408Z", "21060207062816Z", "26261125080000Z", "20261125080000Z", "2026112508000Z",
                    "20261125080000.5Z", "20261325080000Z", "20261125246000Z", "20261125080000+", "2026-11-25T08:00Z",
                    digits(15)));
            case 0x1B, 0x0C -> pick(new byte[0], ascii("alice"), ascii("FUZZ.TEST"), ascii("HTTP"),
                    ascii("fuzz.example.test"), ascii("a".repeat(1000)), hex("fffe00"), hex("c0af"), ascii("a\0b"));
            case 0x03 -> pick(new byte[0], hex("00"), hex("0780"), hex("00000000"), hex("0000000000"),
                    hex("00ffffffff"), hex("01ff"), hex("0800"), hex("000000000000"), hex("07ffffffff"));
            case 0x06 -> pick(new byte[0], hex("80"), hex("2a864886f712010202"), hex("2a864882f712010202"),
                    hex("2b0601050502"), hex("2b06010401823702020a"), hex("ffffffffffffffffffff01"),
                    randomBytes(random.nextInt(12)));
            case 0x01 -> pick(new byte[0], hex("00"), hex("ff"), hex("0100"));
            case 0x04 -> random.nextInt(4) == 0 && old.length > 0 ? flipOne(old)
                    : randomBytes(pickInt(0, 1, 2, 11, 12, 15, 16, 17, 23, 24, 27, 28, 31, 32, 33, 40, 64, 300));
            default -> randomBytes(random.nextInt(40));
        };
    }

    // ---- byte mutations

    private byte[] byteMutation(byte[] b, List<byte[]> donors, List<String> ops) {
        if (b.length == 0) {
            byte[] out = random.nextBoolean() ? new byte[] {(byte) pickInt(BYTES)} : randomBytes(1 + random.nextInt(8));
            ops.add("fill " + out.length);
            return out;
        }
        switch (random.nextInt(9)) {
            case 0 -> {
                byte[] out = b.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int bit = random.nextInt(out.length * 8);
                    out[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                ops.add("bit-flip x" + flips);
                return out;
            }
            case 1 -> {
                byte[] out = b.clone();
                out[random.nextInt(out.length)] = (byte) (random.nextBoolean() ? pickInt(BYTES) : random.nextInt(256));
                ops.add("set-byte");
                return out;
            }
            case 2 -> {
                int at = random.nextInt(b.length + 1);
                byte[] ins = randomBytes(1 + random.nextInt(16));
                ops.add("insert " + ins.length + "@" + at);
                return concat(Arrays.copyOf(b, at), ins, Arrays.copyOfRange(b, at, b.length));
            }
            case 3 -> {
                int at = random.nextInt(b.length);
                int n = 1 + random.nextInt(Math.min(32, b.length - at));
                ops.add("delete " + n + "@" + at);
                return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + n, b.length));
            }
            case 4 -> {
                int to = random.nextInt(b.length);
                ops.add("truncate@" + to);
                return Arrays.copyOf(b, to);
            }
            case 5 -> {
                int at = random.nextInt(b.length);
                int n = 1 + random.nextInt(Math.min(64, b.length - at));
                ops.add("duplicate-range " + n + "@" + at);
                return concat(Arrays.copyOf(b, at + n), Arrays.copyOfRange(b, at, b.length));
            }
            case 6 -> {
                byte[] donor = donors.isEmpty() ? b : donors.get(random.nextInt(donors.size()));
                int head = random.nextInt(b.length + 1);
                int tail = random.nextInt(donor.length + 1);
                ops.add("splice-tail " + head + "+" + (donor.length - tail));
                return concat(Arrays.copyOf(b, head), Arrays.copyOfRange(donor, tail, donor.length));
            }
            case 7 -> {
                byte[] extra = new byte[1 + random.nextInt(4)];
                if (random.nextBoolean()) {
                    random.nextBytes(extra);
                }
                ops.add("append " + extra.length);
                return concat(b, extra);
            }
            default -> {
                byte[] out = b.clone();
                int at = random.nextInt(out.length);
                int n = Math.min(out.length - at, 1 + random.nextInt(16));
                System.arraycopy(randomBytes(n), 0, out, at, n);
                ops.add("overwrite " + n + "@" + at);
                return out;
            }
        }
    }

    // ---- helpers

    private byte[] pick(byte[]... options) {
        return options[random.nextInt(options.length)];
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private int pickInt(int... options) {
        return options[random.nextInt(options.length)];
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] flipOne(byte[] b) {
        byte[] out = b.clone();
        out[random.nextInt(out.length)] ^= (byte) (1 + random.nextInt(255));
        return out;
    }

    private String digits(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('0' + random.nextInt(10)));
        }
        return sb.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
