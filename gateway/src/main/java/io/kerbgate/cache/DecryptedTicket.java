package io.kerbgate.cache;

import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.messages.EncTicketPart;
import io.kerbgate.messages.HostAddress;
import io.kerbgate.messages.PrincipalName;
import java.time.Instant;
import java.util.List;

/**
 * What a ticket's decryption yields and the acceptor needs afterwards: the session key, the client, the flags,
 * the times, the addresses, the transited path and the verified PAC's groups. It is what the {@link TicketCache} keeps, so that a client that
 * reuses its service ticket skips only the ticket decryption, never a check on the authenticator.
 */
public record DecryptedTicket(
        KerberosKey sessionKey,
        String crealm,
        PrincipalName cname,
        String client,
        int flags,
        Instant authtime,
        Instant starttime,
        Instant endtime,
        List<HostAddress> addresses,
        byte[] transitedContents,
        List<String> groups) {

    public DecryptedTicket {
        groups = List.copyOf(groups);
    }

    public static DecryptedTicket of(EncTicketPart part, KerberosKey sessionKey) {
        return of(part, sessionKey, List.of());
    }

    /** @param groups the group SIDs of the ticket's verified PAC, empty when none was verified */
    public static DecryptedTicket of(EncTicketPart part, KerberosKey sessionKey, List<String> groups) {
        return of(part, sessionKey, groups, part.client());
    }

    /**
     * @param client the client's name as the acceptor forwards it: the ticket's, or its account's spelling from the
     *               verified PAC
     */
    public static DecryptedTicket of(EncTicketPart part, KerberosKey sessionKey, List<String> groups, String client) {
        return new DecryptedTicket(sessionKey, part.crealm(), part.cname(), client, part.flags(),
                part.authtime(), part.starttime(), part.endtime(), part.caddr(), part.transitedContents(), groups);
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }
}
