package io.kerbgate.cache;

import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.messages.EncTicketPart;
import io.kerbgate.messages.HostAddress;
import io.kerbgate.messages.PrincipalName;
import java.time.Instant;
import java.util.List;

/**
 * What a ticket's decryption yields and the acceptor needs afterwards: the session key, the client, the flags,
 * the times, the addresses and the transited path. It is what the {@link TicketCache} keeps, so that a client that
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
        byte[] transitedContents) {

    public static DecryptedTicket of(EncTicketPart part, KerberosKey sessionKey) {
        return new DecryptedTicket(sessionKey, part.crealm(), part.cname(), part.client(), part.flags(),
                part.authtime(), part.starttime(), part.endtime(), part.caddr(), part.transitedContents());
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }
}
