package io.kerbgate.rollover;

/** Gets a fresh ticket for the array principal from the KDC and wraps it as a client would send it. */
@FunctionalInterface
public interface TicketSource {

    /**
     * @return an {@code Authorization} header value, {@code Negotiate <base64 SPNEGO token>}, made from a ticket
     *         the KDC issued after this call began, never one cached by an earlier call
     */
    String negotiateHeader(String servicePrincipal) throws Exception;
}
