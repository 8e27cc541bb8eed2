package io.kerbgate.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A seeded, structure-aware mutator for DER (and for the GSS tokens around it, whose TOK_ID {@code 01 00} happens to
 * read as an empty BOOLEAN). The input is parsed leniently into a tree of TLVs, descending into constructed values
 * and into OCTET STRINGs that hold DER (SPNEGO's mechToken, authorization data); the tree is mutated (tag swaps,
 * length tweaks, content replaced by boundary values for its type, deletion, duplication, sibling swaps, splices from
 * other inputs, extra nesting, unwrapping) and written back with consistent lengths except where a length is the
 * mutation; then the bytes may be damaged (bit flips, byte inserts and deletes, truncation, duplicated ranges).
 * Consistent lengths are what let a mutation reach the inner decoders instead of dying at the first length check.
 *
 * <p>Everything random comes from the {@link Random} given, so a mutation is reproducible from its seed. Named
 * {@code DerMutator} so as not to clash with the SPNEGO fuzzer's {@code TokenMutator} on its branch.
 */
final class DerMutator {
    /** Deeper input is kept opaque; also bounds the recursion of this test-side parser. */
    private static final int MAX_PARSE_DEPTH = 120;
    private static final int[] TAGS = {0x30, 0x31, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA,
        0xAB, 0x60, 0x61, 0x62, 0x63, 0x6E, 0x6F, 0x7B, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0A, 0x18, 0x1B, 0x0C, 0x00,
        0x01, 0x1F, 0x3F, 0x9F, 0xBF, 0xFF, 0x80};
    private static final int[] NESTING = {1, 2, 3, 8, 63, 64, 65, 70};

    private final Random random;

    DerMutator(Random random) {
        this.random = random;
    }

    /**
     * Returns a mutated copy of {@code input}: one to four tree mutations, byte mutations, or both.
     *
     * @param donors other well-formed inputs whose subtrees may be spliced in
     * @param ops    receives the names of the mutations applied, for the failure report
     */
    byte[] mutate(byte[] input, List<byte[]> donors, List<String> ops) {
        List<Node> tree = parseAll(input, 0, input.length, 0);
        byte[] out = input;
        int treeOps = tree == null || tree.isEmpty() ? 0 : random.nextInt(4);
        int byteOps = treeOps == 0 ? 1 + random.nextInt(2) : random.nextInt(4) == 0 ? 1 : 0;
        if (treeOps > 0) {
            Node root = new Node(-1, null, tree);
            for (int i = 0; i < treeOps; i++) {
                ops.add(treeMutation(root, donors));
            }
            out = serializeChildren(root);
        }
        for (int i = 0; i < byteOps; i++) {
            out = byteMutation(out, ops);
        }
        return out;
    }

    /** Nesting {@code levels} deep of {@code tag} around {@code core}, built without recursion or quadratic copying. */
    static byte[] nested(int levels, int tag, byte[] core) {
        byte[] buf = new byte[core.length + levels * 6];
        int start = buf.length - core.length;
        System.arraycopy(core, 0, buf, start, core.length);
        for (int i = 0; i < levels; i++) {
            int len = buf.length - start;
            byte[] header = header(tag, len);
            start -= header.length;
            System.arraycopy(header, 0, buf, start, header.length);
        }
        return Arrays.copyOfRange(buf, start, buf.length);
    }

    // ---- the tree

    private static final class Node {
        int tag;
        byte[] content;
        List<Node> children;
        /** A deliberately wrong length encoding, or null for the right one. */
        byte[] lengthOverride;

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
            n.lengthOverride = lengthOverride;
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
            byte[] content = Arrays.copyOfRange(b, q, end);
            List<Node> children = null;
            if (((tag & 0x20) != 0 || tag == 0x04) && depth < MAX_PARSE_DEPTH && end > q) {
                children = parseAll(b, q, end, depth + 1);
            }
            out.add(new Node(tag, content, children));
            p = end;
        }
        return out;
    }

    private static byte[] serialize(Node n) {
        byte[] content = n.children != null ? serializeChildren(n) : n.content;
        byte[] header = n.lengthOverride != null ? concat(new byte[] {(byte) n.tag}, n.lengthOverride)
                : header(n.tag, content.length);
        return concat(header, content);
    }

    private static byte[] serializeChildren(Node n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Node c : n.children) {
            out.writeBytes(serialize(c));
        }
        return out.toByteArray();
    }

    private static byte[] header(int tag, int len) {
        if (len < 0x80) {
            return new byte[] {(byte) tag, (byte) len};
        } else if (len < 0x100) {
            return new byte[] {(byte) tag, (byte) 0x81, (byte) len};
        } else if (len < 0x10000) {
            return new byte[] {(byte) tag, (byte) 0x82, (byte) (len >> 8), (byte) len};
        } else if (len < 0x1000000) {
            return new byte[] {(byte) tag, (byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
        }
        return new byte[] {(byte) tag, (byte) 0x84, (byte) (len >> 24), (byte) (len >> 16), (byte) (len >> 8),
            (byte) len};
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
        switch (random.nextInt(12)) {
            case 0 -> {
                node.tag = TAGS[random.nextInt(TAGS.length)];
                return "tag-swap";
            }
            case 1 -> {
                node.tag = node.tag ^ (1 << random.nextInt(8));
                return "tag-bit";
            }
            case 2 -> {
                node.lengthOverride = badLength(node);
                return "length-tweak";
            }
            case 3, 4, 5 -> {
                replaceContent(node);
                return "content-" + Integer.toHexString(node.tag);
            }
            case 6 -> {
                parent.children.remove(node);
                return "delete";
            }
            case 7 -> {
                parent.children.add(parent.children.indexOf(node), node.copy());
                return "duplicate";
            }
            case 8 -> {
                int i = parent.children.indexOf(node);
                int j = random.nextInt(parent.children.size());
                parent.children.set(i, parent.children.get(j));
                parent.children.set(j, node);
                return "swap";
            }
            case 9 -> {
                Node donor = donorNode(donors);
                if (donor == null) {
                    return "splice-none";
                }
                if (random.nextBoolean()) {
                    parent.children.set(parent.children.indexOf(node), donor);
                    return "splice-replace";
                }
                parent.children.add(random.nextInt(parent.children.size() + 1), donor);
                return "splice-insert";
            }
            case 10 -> {
                int levels = NESTING[random.nextInt(NESTING.length)];
                int tag = switch (random.nextInt(3)) {
                    case 0 -> node.tag;
                    case 1 -> 0x30;
                    default -> 0xA0 | random.nextInt(11);
                };
                Node wrapped = node;
                for (int i = 0; i < levels; i++) {
                    List<Node> one = new ArrayList<>(1);
                    one.add(wrapped);
                    wrapped = new Node(tag, null, one);
                }
                parent.children.set(parent.children.indexOf(node), wrapped);
                return "nest-" + levels;
            }
            default -> {
                if (node.children == null) {
                    node.content = new byte[0];
                    return "empty";
                }
                int i = parent.children.indexOf(node);
                parent.children.remove(i);
                parent.children.addAll(i, node.children);
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

    private byte[] badLength(Node n) {
        int len = n.children != null ? serializeChildren(n).length : n.content.length;
        return switch (random.nextInt(8)) {
            case 0 -> shortOrLong(len + 1);
            case 1 -> shortOrLong(Math.max(0, len - 1));
            case 2 -> new byte[] {(byte) 0x80}; // BER indefinite
            case 3 -> len < 0x100 ? new byte[] {(byte) 0x82, 0, (byte) len} : new byte[] {(byte) 0x83, 0,
                (byte) (len >> 8), (byte) len}; // not minimal
            case 4 -> new byte[] {(byte) 0x85, 0, 0, 0, 0, (byte) len}; // five length octets
            case 5 -> new byte[] {(byte) 0x84, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
            case 6 -> new byte[] {(byte) 0x84, (byte) 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
            default -> new byte[] {0};
        };
    }

    private static byte[] shortOrLong(int len) {
        byte[] h = header(0, len);
        return Arrays.copyOfRange(h, 1, h.length);
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

    private byte[] byteMutation(byte[] b, List<String> ops) {
        if (b.length == 0) {
            ops.add("insert");
            return randomBytes(1 + random.nextInt(8));
        }
        switch (random.nextInt(7)) {
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
                out[random.nextInt(out.length)] = (byte) pickInt(0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x84, 0xFF,
                        0x30, 0x60, 0xA0);
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
