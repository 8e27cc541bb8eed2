/**
 * The Kerberos messages of RFC 4120 that an acceptor reads and writes (AP-REQ, Ticket, EncTicketPart,
 * Authenticator, AP-REP), decoded with the strict {@link io.kerbgate.der.DerReader}. Each type quotes its ASN.1.
 * Numbers the protocol leaves open (enctypes, checksum types, name types) stay raw integers so that policy code,
 * not the decoder, decides what is acceptable.
 */
package io.kerbgate.messages;
