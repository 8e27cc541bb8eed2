package io.kerbgate.pac;

import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.messages.AuthorizationData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Mints PACs the way a KDC does, for tests: a KERB_VALIDATION_INFO (NDR, strings left null), a PAC_CLIENT_INFO and
 * the two signatures, the server's with the service key and the KDC's with a key of the test's choosing. Also
 * re-signs altered PACs, so that a test can reach the check after the signature.
 */
public final class PacBuilder {

    private static final long FILETIME_EPOCH = 116_444_736_000_000_000L;

    private PacBuilder() {}

    /** KERB_VALIDATION_INFO of a user {@code domain-userRid} in groups {@code domain-groupRids} plus {@code extra}. */
    public static byte[] logonInfo(Sid domain, int userRid, int primaryRid, int[] groupRids, List<Sid> extra) {
        return logonInfo(domain, userRid, primaryRid, groupRids, extra, null);
    }

    /** The same, with an EffectiveName (the account's name), which a KDC writes first of the deferred data. */
    public static byte[] logonInfo(Sid domain, int userRid, int primaryRid, int[] groupRids, List<Sid> extra,
            String effectiveName) {
        ByteBuffer d = le(4096);
        d.putInt(0x00020000); // top-level referent
        d.put(new byte[48]); // six FILETIMEs
        if (effectiveName == null) {
            d.put(new byte[8]);
        } else {
            d.putShort((short) (2 * effectiveName.length())).putShort((short) (2 * effectiveName.length()));
            d.putInt(0x00020014);
        }
        d.put(new byte[40]); // five more RPC_UNICODE_STRINGs, null buffers
        d.putShort((short) 0).putShort((short) 0);
        d.putInt(userRid).putInt(primaryRid).putInt(groupRids.length).putInt(0x00020004);
        d.putInt(extra.isEmpty() ? 0 : 0x20); // UserFlags: LOGON_EXTRA_SIDS
        d.put(new byte[16]); // UserSessionKey
        d.put(new byte[16]); // LogonServer, LogonDomainName: null
        d.putInt(0x00020008); // LogonDomainId
        d.put(new byte[8]); // Reserved1
        d.putInt(0x210).putInt(0); // UserAccountControl, SubAuthStatus
        d.put(new byte[16]);
        d.putInt(0).putInt(0);
        d.putInt(extra.size()).putInt(extra.isEmpty() ? 0 : 0x0002000c);
        d.putInt(0).putInt(0).putInt(0); // no resource groups
        if (effectiveName != null) {
            d.putInt(effectiveName.length()).putInt(0).putInt(effectiveName.length());
            d.put(effectiveName.getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
            while (d.position() % 4 != 0) {
                d.put((byte) 0);
            }
        }
        d.putInt(groupRids.length);
        for (int rid : groupRids) {
            d.putInt(rid).putInt(7);
        }
        putSid(d, domain);
        if (!extra.isEmpty()) {
            d.putInt(extra.size());
            for (int i = 0; i < extra.size(); i++) {
                d.putInt(0x00020010 + 4 * i).putInt(7);
            }
            for (Sid s : extra) {
                putSid(d, s);
            }
        }
        while (d.position() % 8 != 0) {
            d.put((byte) 0);
        }
        int length = d.position();
        ByteBuffer out = le(16 + length);
        out.put(new byte[] {1, 0x10, 8, 0}).putInt(0xcccccccc).putInt(length).putInt(0);
        out.put(d.array(), 0, length);
        return out.array();
    }

    private static void putSid(ByteBuffer d, Sid s) {
        int[] subs = s.subAuthorities();
        d.putInt(subs.length).put((byte) 1).put((byte) subs.length);
        for (int i = 5; i >= 0; i--) {
            d.put((byte) (s.authority() >>> (8 * i)));
        }
        for (int sub : subs) {
            d.putInt(sub);
        }
    }

    public static byte[] clientInfo(Instant authtime, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_16LE);
        ByteBuffer b = le(10 + n.length);
        b.putLong(FILETIME_EPOCH + authtime.getEpochSecond() * 10_000_000L).putShort((short) n.length).put(n);
        return b.array();
    }

    /** A signature buffer of {@code type} with a zero signature of the type's length. */
    public static byte[] signature(int type) {
        int length = switch (type) {
            case 15, 16 -> 12;
            case 20 -> 24;
            default -> 16;
        };
        return le(4 + length).putInt(type).array();
    }

    /** A PACTYPE of the buffers (type, contents), each at the next 8-byte boundary. */
    public static byte[] assemble(List<Integer> types, List<byte[]> contents) {
        int n = types.size();
        int offset = 8 + 16 * n;
        List<Integer> offsets = new ArrayList<>();
        for (byte[] c : contents) {
            offset = (offset + 7) & ~7;
            offsets.add(offset);
            offset += c.length;
        }
        ByteBuffer b = le((offset + 7) & ~7);
        b.putInt(n).putInt(0);
        for (int i = 0; i < n; i++) {
            b.putInt(types.get(i)).putInt(contents.get(i).length).putLong(offsets.get(i));
        }
        for (int i = 0; i < n; i++) {
            b.position(offsets.get(i));
            b.put(contents.get(i));
        }
        return b.array();
    }

    /** A complete signed PAC for {@code name}. */
    public static byte[] pac(KerberosKey serviceKey, KerberosKey kdcKey, Instant authtime, String name, Sid domain,
            int userRid, int[] groupRids, List<Sid> extra) {
        byte[] pac = assemble(List.of(Pac.LOGON_INFO, Pac.CLIENT_INFO, Pac.SERVER_CHECKSUM, Pac.PRIVSVR_CHECKSUM),
                List.of(logonInfo(domain, userRid, 513, groupRids, extra), clientInfo(authtime, name),
                        signature(KerberosCrypto.checksumTypeFor(serviceKey.enctype())),
                        signature(KerberosCrypto.checksumTypeFor(kdcKey.enctype()))));
        return sign(pac, serviceKey, kdcKey);
    }

    /** Zeroes both signatures and computes them again: server with {@code serviceKey}, KDC over it with {@code kdcKey}. */
    public static byte[] sign(byte[] pacBytes, KerberosKey serviceKey, KerberosKey kdcKey) {
        try {
            Pac pac = Pac.parse(pacBytes);
            Pac.Buffer server = pac.buffer(Pac.SERVER_CHECKSUM).orElseThrow();
            Pac.Buffer kdc = pac.buffer(Pac.PRIVSVR_CHECKSUM).orElseThrow();
            byte[] b = pac.bytes();
            java.util.Arrays.fill(b, server.offset() + 4, server.offset() + server.size(), (byte) 0);
            java.util.Arrays.fill(b, kdc.offset() + 4, kdc.offset() + kdc.size(), (byte) 0);
            int serverType = KerberosCrypto.checksumTypeFor(serviceKey.enctype());
            byte[] serverSig = KerberosCrypto.checksum(serviceKey, PacVerifier.USAGE_PAC_SIGNATURE, serverType, b);
            System.arraycopy(serverSig, 0, b, server.offset() + 4, serverSig.length);
            byte[] kdcSig = KerberosCrypto.checksum(kdcKey, PacVerifier.USAGE_PAC_SIGNATURE,
                    KerberosCrypto.checksumTypeFor(kdcKey.enctype()), serverSig);
            System.arraycopy(kdcSig, 0, b, kdc.offset() + 4, kdcSig.length);
            return b;
        } catch (PacException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** AD-IF-RELEVANT { AD-WIN2K-PAC pac } for each PAC given. */
    public static AuthorizationData ifRelevant(byte[]... pacs) {
        List<AuthorizationData.Entry> inner = new ArrayList<>();
        for (byte[] p : pacs) {
            inner.add(new AuthorizationData.Entry(AuthorizationData.AD_WIN2K_PAC, p));
        }
        return new AuthorizationData(List.of(new AuthorizationData.Entry(AuthorizationData.AD_IF_RELEVANT,
                new AuthorizationData(inner).encode())));
    }

    /** The PAC inside AD-IF-RELEVANT of {@code ad}. */
    public static byte[] find(AuthorizationData ad) {
        for (AuthorizationData.Entry e : ad.entries()) {
            if (e.adType() == AuthorizationData.AD_IF_RELEVANT) {
                try {
                    for (AuthorizationData.Entry i : AuthorizationData.decode(
                            io.kerbgate.der.DerReader.of(e.adData())).entries()) {
                        if (i.adType() == AuthorizationData.AD_WIN2K_PAC) {
                            return i.adData();
                        }
                    }
                } catch (io.kerbgate.der.DerException x) {
                    throw new IllegalArgumentException(x);
                }
            }
        }
        throw new IllegalArgumentException("no PAC");
    }

    /** Sets a little-endian u32 in a copy of {@code b}. */
    public static byte[] putU32(byte[] b, int at, long value) {
        byte[] out = b.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) value);
        return out;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

}
