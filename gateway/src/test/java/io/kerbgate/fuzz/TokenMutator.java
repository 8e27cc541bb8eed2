package io.kerbgate.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded mutations of DER tokens, for tests that hold "any input ends as a typed refusal, never as another
 * exception". The same {@link SplittableRandom} state always gives the same output, so a failing case is
 * reproduced from its seed alone.
 *
 * <p>Two kinds of mutation are combined. Structural ones parse the seed leniently into a TLV tree (looking inside
 * OCTET STRINGs too, so a mechToken or a ticket's contents are reached) and edit it: duplicate, delete, swap or
 * retag an element, edit a leaf's contents, splice in an element of a donor token, wrap an element in deep
 * nesting, or write one length in a non-DER form (indefinite, non-minimal, five octets, off by a few, huge).
 * Lengths of the enclosing elements are recomputed, so the damage reaches the inner parsers instead of being
 * caught by the outermost length check. Byte-level ones then flip bits, overwrite, insert, delete, truncate,
 * splice or append, where nothing stays consistent.
 *
 * <p>Reusable for any DER parser: feed it valid seeds of the parser's message (e.g. AP-REQs).
 */
public final class TokenMutator {
    private static final int MAX_TREE_DEPTH = 64;
    private static final int[] INTERESTING_BYTES = {0x00, 0x01, 0x02, 0x05, 0x0E, 0x7F, 0x80, 0x81, 0x82, 0x84,
        0x85, 0xFF};
    private static final int[] INTERESTING_TAGS = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0A, 0x18, 0x1B,
        0x1F, 0x30, 0x60, 0x6E, 0x6F, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xBF, 0xFF};
    private static final int[] WRAP_TAGS = {0x30, 0xA0, 0xA1, 0x60};

    private enum LengthForm { MINIMAL, INDEFINITE, NON_MINIMAL, FIVE_OCTETS, OFF_BY, HUGE }

    private TokenMutator() {}

    /** One to four mutations of {@code seed}, which is not modified. */
    public static byte[] mutate(byte[] seed, SplittableRandom rnd) {
        return mutate(seed, seed, rnd);
    }

    /** Like {@link #mutate(byte[], SplittableRandom)}, splicing from {@code donor} as well. */
    public static byte[] mutate(byte[] seed, byte[] donor, SplittableRandom rnd) {
        byte[] out = seed;
        int structural = rnd.nextInt(3);
        int bytewise = structural == 0 ? 1 + rnd.nextInt(2) : rnd.nextInt(2);
        if (structural > 0) {
            Node root = Node.parseRoot(seed);
            if (root != null && !root.children.isEmpty()) {
                for (int i = 0; i < structural; i++) {
                    mutateTree(root, donor, rnd);
                }
                out = root.serialize();
            } else {
                bytewise++;
            }
        }
        for (int i = 0; i < bytewise; i++) {
            out = mutateBytes(out, donor, rnd);
        }
        return out;
    }

    /**
     * {@code levels} definite-length elements of {@code tag}, each holding the next, around {@code innermost}.
     * Built without recursion; 100,000 levels of SEQUENCE around nothing take about 0.5 MB.
     */
    public static byte[] nestedDefinite(int tag, int levels, byte[] innermost) {
        long[] lengths = new long[levels + 1];
        lengths[0] = innermost.length;
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
        System.arraycopy(innermost, 0, out, pos, innermost.length);
        return out;
    }

    /** {@code levels} BER indefinite-length openings ({@code tag 0x80}), never closed: the CVE-2020-28196 shape. */
    public static byte[] nestedIndefinite(int tag, int levels) {
        byte[] out = new byte[2 * levels];
        for (int i = 0; i < levels; i++) {
            out[2 * i] = (byte) tag;
            out[2 * i + 1] = (byte) 0x80;
        }
        return out;
    }

    private static void mutateTree(Node root, byte[] donor, SplittableRandom rnd) {
        List<Node> parents = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        root.collect(parents, indexes);
        if (parents.isEmpty()) {
            return;
        }
        int pick = rnd.nextInt(parents.size());
        Node parent = parents.get(pick);
        int index = indexes.get(pick);
        Node node = parent.children.get(index);
        switch (rnd.nextInt(9)) {
            case 0 -> parent.children.add(index, node.copy());
            case 1 -> parent.children.remove(index);
            case 2 -> {
                int other = rnd.nextInt(parent.children.size());
                parent.children.set(index, parent.children.get(other));
                parent.children.set(other, node);
            }
            case 3 -> node.tag = rnd.nextInt(4) == 0 ? rnd.nextInt(256) : pickFrom(INTERESTING_TAGS, rnd);
            case 4 -> {
                node.form = LengthForm.values()[1 + rnd.nextInt(LengthForm.values().length - 1)];
                node.delta = rnd.nextBoolean() ? 1 + rnd.nextInt(3) : -(1 + rnd.nextInt(3));
            }
            case 5 -> {
                // Around the reader's depth bound most of the time, much deeper now and then.
                node.wraps = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(2000) : 60 + rnd.nextInt(8);
                node.wrapTag = rnd.nextBoolean() ? node.tag : pickFrom(WRAP_TAGS, rnd);
            }
            case 6 -> {
                Node donorRoot = Node.parseRoot(donor);
                if (donorRoot != null) {
                    List<Node> donorParents = new ArrayList<>();
                    List<Integer> donorIndexes = new ArrayList<>();
                    donorRoot.collect(donorParents, donorIndexes);
                    if (!donorParents.isEmpty()) {
                        int d = rnd.nextInt(donorParents.size());
                        parent.children.set(index, donorParents.get(d).children.get(donorIndexes.get(d)));
                    }
                }
            }
            default -> {
                Node leaf = node;
                while (leaf.children != null && !leaf.children.isEmpty()) {
                    leaf = leaf.children.get(rnd.nextInt(leaf.children.size()));
                }
                if (leaf.children != null) {
                    leaf.children = null;
                    leaf.content = new byte[0];
                }
                leaf.content = mutateBytes(leaf.content, donor, rnd);
            }
        }
    }

    private static byte[] mutateBytes(byte[] in, byte[] donor, SplittableRandom rnd) {
        int len = in.length;
        switch (rnd.nextInt(7)) {
            case 0 -> {
                if (len == 0) {
                    return new byte[] {(byte) rnd.nextInt(256)};
                }
                byte[] out = in.clone();
                for (int n = 1 + rnd.nextInt(8); n > 0; n--) {
                    out[rnd.nextInt(len)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return out;
            }
            case 1 -> {
                if (len == 0) {
                    return new byte[] {(byte) pickFrom(INTERESTING_BYTES, rnd)};
                }
                byte[] out = in.clone();
                out[rnd.nextInt(len)] = (byte) (rnd.nextBoolean() ? pickFrom(INTERESTING_BYTES, rnd) : rnd.nextInt(256));
                return out;
            }
            case 2 -> {
                byte[] insert = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(insert);
                int at = rnd.nextInt(len + 1);
                return concat(Arrays.copyOf(in, at), insert, Arrays.copyOfRange(in, at, len));
            }
            case 3 -> {
                if (len == 0) {
                    return in;
                }
                int at = rnd.nextInt(len);
                int n = Math.min(len - at, 1 + rnd.nextInt(8));
                return concat(Arrays.copyOf(in, at), Arrays.copyOfRange(in, at + n, len));
            }
            case 4 -> {
                return Arrays.copyOf(in, rnd.nextInt(len + 1));
            }
            case 5 -> {
                int head = rnd.nextInt(len + 1);
                int tail = rnd.nextInt(donor.length + 1);
                return concat(Arrays.copyOf(in, head), Arrays.copyOfRange(donor, tail, donor.length));
            }
            default -> {
                byte[] extra = new byte[1 + rnd.nextInt(4)];
                if (rnd.nextBoolean()) {
                    rnd.nextBytes(extra);
                }
                return concat(in, extra);
            }
        }
    }

    private static int pickFrom(int[] values, SplittableRandom rnd) {
        return values[rnd.nextInt(values.length)];
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
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

    /** One element of the lenient TLV tree; the root has no header ({@code tag < 0}). */
    private static final class Node {
        int tag;
        byte[] content;
        List<Node> children;
        LengthForm form = LengthForm.MINIMAL;
        int delta;
        int wraps;
        int wrapTag;

        static Node parseRoot(byte[] b) {
            List<Node> top = parseRegion(b, 0, b.length, 0);
            if (top == null) {
                return null;
            }
            Node root = new Node();
            root.tag = -1;
            root.children = top;
            return root;
        }

        /** The elements filling {@code b[from, to)} exactly, or {@code null} if it is not such a sequence. */
        private static List<Node> parseRegion(byte[] b, int from, int to, int depth) {
            List<Node> nodes = new ArrayList<>();
            int p = from;
            while (p < to) {
                if (p + 2 > to || (b[p] & 0x1F) == 0x1F) {
                    return null;
                }
                Node n = new Node();
                n.tag = b[p++] & 0xFF;
                int first = b[p++] & 0xFF;
                long len;
                if (first < 0x80) {
                    len = first;
                } else {
                    int k = first & 0x7F;
                    if (k == 0 || k > 4 || p + k > to) {
                        return null;
                    }
                    len = 0;
                    for (int i = 0; i < k; i++) {
                        len = (len << 8) | (b[p++] & 0xFF);
                    }
                }
                if (len > to - p) {
                    return null;
                }
                int end = p + (int) len;
                List<Node> kids = depth < MAX_TREE_DEPTH && len >= 2 ? parseRegion(b, p, end, depth + 1) : null;
                if (kids != null) {
                    n.children = kids;
                } else {
                    n.content = Arrays.copyOfRange(b, p, end);
                }
                nodes.add(n);
                p = end;
            }
            return nodes;
        }

        /** Every (parent, index) pair below this node, iteratively. */
        void collect(List<Node> parents, List<Integer> indexes) {
            List<Node> stack = new ArrayList<>();
            stack.add(this);
            while (!stack.isEmpty()) {
                Node n = stack.remove(stack.size() - 1);
                if (n.children == null) {
                    continue;
                }
                for (int i = 0; i < n.children.size(); i++) {
                    parents.add(n);
                    indexes.add(i);
                    stack.add(n.children.get(i));
                }
            }
        }

        Node copy() {
            Node c = new Node();
            c.tag = tag;
            c.content = content;
            c.form = form;
            c.delta = delta;
            c.wraps = wraps;
            c.wrapTag = wrapTag;
            if (children != null) {
                c.children = new ArrayList<>();
                for (Node child : children) {
                    c.children.add(child.copy());
                }
            }
            return c;
        }

        byte[] serialize() {
            byte[] body;
            if (children != null) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (Node child : children) {
                    out.writeBytes(child.serialize());
                }
                body = out.toByteArray();
            } else {
                body = content;
            }
            if (tag < 0) {
                return body;
            }
            byte[] tlv = concat(new byte[] {(byte) tag}, encodeLength(body.length), body);
            return wraps == 0 ? tlv : nestedDefinite(wrapTag, wraps, tlv);
        }

        private byte[] encodeLength(int len) {
            return switch (form) {
                case MINIMAL -> minimal(len);
                case INDEFINITE -> new byte[] {(byte) 0x80};
                case NON_MINIMAL -> len < 0x80 ? new byte[] {(byte) 0x81, (byte) len}
                        : concat(new byte[] {(byte) (0x80 | lengthOctets(len))}, new byte[] {0},
                                Arrays.copyOfRange(minimal(len), 1, lengthOctets(len)));
                case FIVE_OCTETS -> concat(new byte[] {(byte) 0x85, 0}, Arrays.copyOfRange(minimal4(len), 1, 5));
                case OFF_BY -> minimal(Math.max(0, len + delta));
                case HUGE -> delta > 0 ? new byte[] {(byte) 0x84, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}
                        : new byte[] {(byte) 0x84, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
            };
        }

        private static byte[] minimal(long len) {
            byte[] out = new byte[lengthOctets(len)];
            writeLength(out, 0, len);
            return out;
        }

        private static byte[] minimal4(int len) {
            return new byte[] {(byte) 0x84, (byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len};
        }
    }
}
