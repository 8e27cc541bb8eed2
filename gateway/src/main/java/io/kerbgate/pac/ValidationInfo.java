package io.kerbgate.pac;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The SIDs of a KERB_VALIDATION_INFO (MS-PAC §2.5), the PAC's logon-info buffer: the user's SID (LogonDomainId +
 * UserId), the primary group, the domain groups (LogonDomainId + GroupIds), the ExtraSids and the resource groups
 * (ResourceGroupDomainSid + ResourceGroupIds).
 *
 * <p>The buffer is an NDR type serialization (version 1, little-endian, MS-RPCE §2.2.6): common and private headers,
 * the top-level referent, the fixed part of the structure, then the data of each non-null pointer in the order the
 * pointers appear. Only what the SIDs need is decoded, and the EffectiveName (the account's sAMAccountName, as the
 * directory spells it); other strings are skipped by their counts. Every count is checked against the bytes left
 * before anything is read or allocated.
 */
public record ValidationInfo(Sid userSid, Sid primaryGroupSid, List<Sid> groupSids, @Nullable String effectiveName) {

    public ValidationInfo {
        groupSids = List.copyOf(groupSids);
    }

    public static ValidationInfo decode(byte[] buffer) throws PacException {
        Ndr in = new Ndr(buffer);
        // Common header: version 1, little-endian (0x10), header length 8, filler.
        if (in.u8() != 1 || in.u8() != 0x10 || in.u16() != 8) {
            throw new PacException("logon info is not a little-endian NDR type serialization v1");
        }
        in.u32();
        long objectLength = in.u32();
        in.u32();
        if (objectLength > in.remaining()) {
            throw new PacException("logon info claims " + objectLength + " bytes, " + in.remaining() + " follow");
        }
        in.limit((int) objectLength);
        if (in.u32() == 0) {
            throw new PacException("logon info is a null pointer");
        }
        in.skip(6 * 8); // LogonTime, LogoffTime, KickOffTime, PasswordLastSet, PasswordCanChange, PasswordMustChange
        long[] strings1 = new long[6]; // EffectiveName, FullName, LogonScript, ProfilePath, HomeDirectory, HomeDirectoryDrive
        for (int i = 0; i < strings1.length; i++) {
            strings1[i] = in.unicodeStringHeader();
        }
        in.u16(); // LogonCount
        in.u16(); // BadPasswordCount
        int userId = (int) in.u32();
        int primaryGroupId = (int) in.u32();
        long groupCount = in.u32();
        long groupIdsPtr = in.u32();
        in.u32(); // UserFlags
        in.skip(16); // UserSessionKey
        long logonServer = in.unicodeStringHeader();
        long logonDomainName = in.unicodeStringHeader();
        long logonDomainIdPtr = in.u32();
        in.skip(8); // Reserved1
        in.u32(); // UserAccountControl
        in.u32(); // SubAuthStatus
        in.skip(16); // LastSuccessfulILogon, LastFailedILogon
        in.u32(); // FailedILogonCount
        in.u32(); // Reserved3
        long sidCount = in.u32();
        long extraSidsPtr = in.u32();
        long resourceDomainPtr = in.u32();
        long resourceGroupCount = in.u32();
        long resourceGroupIdsPtr = in.u32();

        String effectiveName = in.deferredText(strings1[0]);
        for (int i = 1; i < strings1.length; i++) {
            in.deferredString(strings1[i]);
        }
        int[] groupIds = groupIdsPtr == 0 ? new int[0] : in.groupMemberships(groupCount, "GroupIds");
        in.deferredString(logonServer);
        in.deferredString(logonDomainName);
        if (logonDomainIdPtr == 0) {
            throw new PacException("logon info has no LogonDomainId");
        }
        Sid domain = in.sid();
        List<Sid> extra = new ArrayList<>();
        if (extraSidsPtr != 0) {
            long max = in.u32();
            if (max != sidCount) {
                throw new PacException("ExtraSids array of " + max + " for SidCount " + sidCount);
            }
            in.need(sidCount * 8, "ExtraSids");
            long[] pointers = new long[(int) sidCount];
            for (int i = 0; i < sidCount; i++) {
                pointers[i] = in.u32();
                in.u32(); // Attributes
            }
            for (long p : pointers) {
                if (p != 0) {
                    extra.add(in.sid());
                }
            }
        }
        List<Sid> groups = new ArrayList<>();
        for (int rid : groupIds) {
            groups.add(domain.withRid(rid));
        }
        groups.addAll(extra);
        if (resourceDomainPtr != 0) {
            Sid resourceDomain = in.sid();
            if (resourceGroupIdsPtr != 0) {
                for (int rid : in.groupMemberships(resourceGroupCount, "ResourceGroupIds")) {
                    groups.add(resourceDomain.withRid(rid));
                }
            }
        }
        return new ValidationInfo(domain.withRid(userId), domain.withRid(primaryGroupId), groups, effectiveName);
    }

    /** A bounds-checked little-endian NDR reader; offsets are relative to the buffer, alignment to the data. */
    private static final class Ndr {
        private static final int DATA_START = 16;
        private final byte[] b;
        private int pos;
        private int end;

        Ndr(byte[] b) {
            this.b = b;
            this.end = b.length;
        }

        int remaining() {
            return end - pos;
        }

        void limit(int length) {
            end = pos + length;
        }

        void need(long n, String what) throws PacException {
            if (n < 0 || n > remaining()) {
                throw new PacException("logon info: " + what + " needs " + n + " bytes, " + remaining() + " left");
            }
        }

        void skip(long n) throws PacException {
            need(n, "field");
            pos += (int) n;
        }

        void align(int n) throws PacException {
            int rel = (pos - DATA_START) % n;
            if (pos >= DATA_START && rel != 0) {
                skip(n - rel);
            }
        }

        int u8() throws PacException {
            need(1, "byte");
            return b[pos++] & 0xff;
        }

        int u16() throws PacException {
            align(2);
            need(2, "short");
            int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
            pos += 2;
            return v;
        }

        long u32() throws PacException {
            align(4);
            need(4, "long");
            long v = Pac.u32(b, pos);
            pos += 4;
            return v;
        }

        /** RPC_UNICODE_STRING's fixed part: Length, MaximumLength, Buffer pointer; returns the pointer. */
        long unicodeStringHeader() throws PacException {
            u16();
            u16();
            return u32();
        }

        /** The conformant varying array of a non-null string pointer: skipped by its counts. */
        void deferredString(long pointer) throws PacException {
            skip(stringChars(pointer) * 2);
        }

        /** The same array read as UTF-16LE text; null for a null pointer. */
        @Nullable String deferredText(long pointer) throws PacException {
            if (pointer == 0) {
                return null;
            }
            int chars = (int) stringChars(pointer);
            need(chars * 2L, "string");
            String text = new String(b, pos, chars * 2, StandardCharsets.UTF_16LE);
            pos += chars * 2;
            return text;
        }

        /** The counts of a string's conformant varying array: how many UTF-16 units follow (0 for a null pointer). */
        private long stringChars(long pointer) throws PacException {
            if (pointer == 0) {
                return 0;
            }
            long max = u32();
            long offset = u32();
            long actual = u32();
            if (offset != 0 || actual > max) {
                throw new PacException("logon info: string with offset " + offset + ", " + actual + " of " + max);
            }
            return actual;
        }

        /** A conformant array of GROUP_MEMBERSHIP {RelativeId, Attributes}; returns the RIDs. */
        int[] groupMemberships(long count, String what) throws PacException {
            long max = u32();
            if (max != count) {
                throw new PacException("logon info: " + what + " array of " + max + " for a count of " + count);
            }
            need(count * 8, what);
            int[] rids = new int[(int) count];
            for (int i = 0; i < count; i++) {
                rids[i] = (int) u32();
                u32();
            }
            return rids;
        }

        /** RPC_SID: conformance count, Revision, SubAuthorityCount, IdentifierAuthority (6, big-endian), SubAuthority. */
        Sid sid() throws PacException {
            long max = u32();
            int revision = u8();
            int count = u8();
            if (revision != 1 || count != max || count > Sid.MAX_SUB_AUTHORITIES) {
                throw new PacException("logon info: SID revision " + revision + " with " + count + "/" + max
                        + " sub-authorities");
            }
            need(6, "SID authority");
            long authority = 0;
            for (int i = 0; i < 6; i++) {
                authority = authority << 8 | (b[pos++] & 0xff);
            }
            int[] subs = new int[count];
            for (int i = 0; i < count; i++) {
                subs[i] = (int) u32();
            }
            return new Sid(revision, authority, subs);
        }
    }
}
